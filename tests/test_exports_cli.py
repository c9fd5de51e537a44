"""`python -m bot export`: files written where the operator says, their rows counted, mistakes in the
arguments named without a traceback."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.app import build_app
from bot.clock import FixedClock
from tests.support.cli import Cli
from tests.support.config import START, make_settings
from tests.support.exports import PHONE, phones_in, seed


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Cli:
    return Cli(monkeypatch, capsys, tmp_path)


def seeded(tmp_path: Path) -> None:
    async def fill() -> None:
        app = await build_app(make_settings(tmp_path), FixedClock(START))
        try:
            await seed(app)
        finally:
            await app.close()

    asyncio.run(fill())


def test_the_command_line_writes_every_file_and_counts_its_rows(cli: Cli, tmp_path: Path) -> None:
    seeded(tmp_path)
    code, out = cli("export", "--period", "cn", "--out", str(tmp_path / "out"))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0] == "Báo cáo tổng kết năm 2026 (2026-11-01 .. 2027-01-15)"
    written = [Path(line.split("  ")[0]) for line in lines[1:4]]
    assert [p.suffix for p in written] == [".xlsx", ".docx", ".docx"] and all(p.is_file() for p in written)
    assert all(p.parent == tmp_path / "out" for p in written)
    assert lines[1].endswith("6 nominations, 4 reports, 15 unreported")
    assert lines[2].endswith("2 entries")
    assert phones_in(written[0]) == []


def test_the_command_line_writes_one_file_where_it_is_told_with_contacts(cli: Cli, tmp_path: Path) -> None:
    seeded(tmp_path)
    target = tmp_path / "so-lieu.xlsx"
    code, out = cli(
        "export",
        "--from",
        "01/11/2026",
        "--to",
        "2026-11-30",
        "--kind",
        "xlsx",
        "--out",
        str(target),
        "--with-contacts",
    )
    assert code == 0, out
    assert out.splitlines()[1].startswith(f"{target}  ") and "phone numbers" in out
    assert set(phones_in(target)) == {PHONE}


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--period", "9T"], "error: no reporting period 9T (the campaign has: 6T, CN, DOT-CDS)"),
        (["--from", "31/02/2026"], "error: --from: '31/02/2026' is not a date"),
        (["--from", "2026-11-30", "--to", "2026-11-01"], "error: --to 2026-11-01 is before --from 2026-11-30"),
        ([], "error: say what to export: --period CODE, or --from DATE [--to DATE]"),
        (["--period", "CN", "--from", "2026-11-01"], "error: give either --period or --from/--to, not both"),
        (["--period", "CN", "--out", "x.xlsx"], "error: --out x.xlsx names one file, but 3 files are asked for"),
        (
            ["--period", "CN", "--kind", "bulletin", "--out", "x.xlsx"],
            "error: --out x.xlsx: a bulletin file ends in .docx",
        ),
    ],
)
def test_the_command_line_says_what_is_wrong(cli: Cli, args: list[str], said: str) -> None:
    code, out = cli("export", *args)
    assert code == 2 and said in out and "Traceback" not in out
