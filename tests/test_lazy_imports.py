"""The libraries that make files (openpyxl and python-docx for the secretariat's files, matplotlib for the
weekly chart) are not loaded by starting the bot: they are loaded only when a file is made, and the chart is
drawn in a child process, so that matplotlib never stays in the bot's memory. Likewise a command that neither
serves the desk nor plans reminders loads neither the desk's libraries nor the scheduler, and httpx comes
without its command-line tool."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.console import env_for

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("openpyxl", "docx", "matplotlib")
DESK_AND_SCHEDULER = ("starlette", "uvicorn", "jinja2", "apscheduler")

# Runs the bot's own entry point and, as the process ends, names the heavy libraries it had loaded.
PROBE = """
import atexit, sys
atexit.register(lambda: print("loaded:", sorted(m for m in {heavy!r} if m in sys.modules), file=sys.stderr))
import runpy
runpy.run_module("bot", run_name="__main__", alter_sys=True)
"""


def test_starting_the_bot_loads_no_file_making_library(tmp_path: Path) -> None:
    env = env_for(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), "run", "--user", "3001"],
        cwd=tmp_path,
        env=env,
        input="/start\n/tinhtrang\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Xin chào!" in result.stdout  # the whole bot ran and answered
    assert "loaded: []" in result.stderr, result.stderr[-2000:]


@pytest.mark.parametrize(
    ("command", "says"),
    [(["chat", "--user", "3001"], "Xin chào!"), (["units", "list"], "KHOI-DT")],
)
def test_a_command_without_the_desk_or_the_schedule_loads_neither(
    tmp_path: Path, command: list[str], says: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=DESK_AND_SCHEDULER), *command],
        cwd=tmp_path,
        env=env_for(tmp_path),
        input="/start\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert says in result.stdout  # the command did its work
    assert "loaded: []" in result.stderr, result.stderr[-2000:]


DRAW = """
import asyncio, sys
from pathlib import Path
from bot.digests import chart
spec = chart.ChartSpec(
    title="Tuần 48",
    legend=("Đúng hạn", "Trễ hạn", "Chưa gửi"),
    axis="Số đơn vị",
    panels=[chart.Panel(title="Quý IV", groups=["Cụm 1", "Cụm 2"], on_time=[3, 1], late=[1, 0], missing=[0, 2])],
)
asyncio.run(chart.render(spec, Path(sys.argv[1])))
print("matplotlib" in sys.modules)
"""


def python(folder: Path, code: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Python code run in a process of its own, with the project importable."""
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_weekly_chart_is_drawn_in_a_child_process_and_matplotlib_stays_out_of_the_bot(tmp_path: Path) -> None:
    path = tmp_path / "charts" / "tuan-48.png"
    result = python(tmp_path, DRAW, str(path))
    assert result.returncode == 0, result.stderr
    assert path.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert result.stdout.strip() == "False"


def test_the_messengers_http_library_comes_without_its_command_line_tool(tmp_path: Path) -> None:
    """httpx's command-line tool (click, pygments, rich where installed) stays out of the bot's processes."""
    probe = (
        "import sys\nimport bot.channels.zalo.client, telegram.request\nimport httpx\n"
        "print(sorted(m for m in ('click', 'pygments', 'rich') if m in sys.modules))"
    )
    result = python(tmp_path, probe)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
