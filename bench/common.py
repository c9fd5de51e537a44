"""Shared by the bench scripts: a throw-away data folder, a printed figure that reads the same in each, and
the record of each figure against its goal for the summary `make bench` prints at the end."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App


@contextmanager
def scratch_dir(prefix: str) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix=prefix) as name:
        yield Path(name)


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


def report(title: str, rows: list[tuple[str, str]]) -> None:
    width = max(len(label) for label, _ in rows)
    print(title)
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")


SUMMARY_ENV = "BENCH_SUMMARY"


def record(
    name: str,
    figure: float,
    unit: str = "",
    *,
    at_most: float | None = None,
    below: float | None = None,
    at_least: float | None = None,
    digits: int = 2,
) -> None:
    """One figure of this bench, with its goal if it has one, for the summary table of `make bench`: a JSON
    line appended to the file that BENCH_SUMMARY names (nothing when a bench runs alone)."""
    path = os.environ.get(SUMMARY_ENV)
    if not path:
        return
    suffix = unit if unit.startswith("/") else f" {unit}" if unit else ""
    goal: str | None = None
    holds: bool | None = None
    if at_most is not None:
        goal, holds = f"≤ {at_most:g}{suffix}", figure <= at_most
    elif below is not None:
        goal, holds = f"< {below:g}{suffix}", figure < below
    elif at_least is not None:
        goal, holds = f"≥ {at_least:g}{suffix}", figure >= at_least
    line = {
        "bench": Path(sys.argv[0]).stem.removeprefix("bench_"),
        "name": name,
        "figure": f"{figure:,.{digits}f}{suffix}",
        "goal": goal,
        "holds": holds,
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")


def campaign_with_periods(folder: Path, codes: Sequence[str], **dates: str) -> Path:
    """The shipped campaign with its reporting periods replaced by phases `codes`, all on the same dates
    (opens, deadline and optionally closes, as ISO dates): a province of bench units owes every one."""
    import yaml

    root = Path(__file__).resolve().parent.parent
    data = yaml.safe_load((root / "config" / "dong-thap-2023.yaml").read_text(encoding="utf-8"))
    data["reporting_periods"] = [{"code": code, "kind": "phase", "name": f"Đợt {code}", **dates} for code in codes]
    path = folder / "campaign.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def bench_app(folder: Path, campaign: Path, now: dt.datetime, database_url: str | None = None) -> App:
    """An App on a fresh database file in `folder` (or on the empty database `database_url` names), its clock
    fixed at `now`."""
    from bot.app import build_app
    from bot.clock import FixedClock
    from bot.settings import Settings

    settings = Settings.model_validate(
        {
            "database_url": database_url or f"sqlite:///{folder / 'thidua.db'}",
            "data_dir": folder,
            "campaign_file": campaign,
        }
    )
    return await build_app(settings, FixedClock(now))
