"""The weekly chart: a process forked from the fork server that has matplotlib loaded (the bot's way) against
a fresh `python -m bot.digests.chart` interpreter importing matplotlib for each chart (the way before), in
alternating rounds. Prints the median milliseconds per chart of each and their ratio.

    .venv/bin/python bench/bench_chart.py [ROUNDS]
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import record, report, scratch_dir  # noqa: E402
from bot.digests.chart import ChartSpec, Panel, render  # noqa: E402

SPEC = ChartSpec(
    title="Báo cáo theo cụm, khối",
    legend=("Đúng hạn", "Trễ hạn", "Chưa gửi"),
    axis="Số đơn vị",
    panels=[
        Panel(
            title=f"Kỳ {n}",
            groups=[f"Cụm thi đua số {g}" for g in range(1, 9)],
            on_time=[3, 4, 5, 2, 6, 1, 0, 4],
            late=[1, 0, 2, 1, 0, 3, 1, 0],
            missing=[2, 1, 0, 3, 1, 2, 5, 1],
        )
        for n in (1, 2)
    ],
)


async def forked(path: Path) -> float:
    started = time.perf_counter()
    await render(SPEC, path)
    return time.perf_counter() - started


def fresh(path: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot.digests.chart", str(path)], input=SPEC.model_dump_json().encode(), check=True
    )
    return time.perf_counter() - started


async def main(rounds: int) -> None:
    with scratch_dir("bench-chart-") as folder:
        first = await forked(folder / "first.png")  # starts the fork server, as the bot's first chart does
        fork_times: list[float] = []
        fresh_times: list[float] = []
        for n in range(rounds):
            fork_times.append(await forked(folder / f"fork-{n}.png"))
            fresh_times.append(fresh(folder / f"fresh-{n}.png"))
    fork_ms = statistics.median(fork_times) * 1000
    fresh_ms = statistics.median(fresh_times) * 1000
    report(
        f"chart, {rounds} alternating rounds (medians)",
        [
            ("first chart, fork server starting (ms)", f"{first * 1000:.0f}"),
            ("forked from the fork server (ms/chart)", f"{fork_ms:.0f}"),
            ("fresh interpreter (ms/chart)", f"{fresh_ms:.0f}"),
            ("fresh / forked", f"{fresh_ms / fork_ms:.1f}×"),
        ],
    )
    record("chart, forked (ms)", fork_ms, "ms", digits=0)
    record("chart, fresh / forked", fresh_ms / fork_ms, "×", digits=1)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 7))
