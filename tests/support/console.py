"""The terminal chat as a real process, given its lines on standard input."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.config import CAMPAIGN, ROOT
from tests.support.net import free_port


def env_for(tmp_path: Path) -> dict[str, str]:
    """The environment of a `python -m bot` process on a database in `tmp_path`: no messenger token, so the
    terminal chat; the desk on a free port, so that `run` starts beside anything else."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'thidua.db'}",
        DATA_DIR=str(tmp_path / "data"),
        CAMPAIGN_FILE=str(CAMPAIGN),
        LOG_LEVEL="WARNING",
        WEB_PORT=str(free_port()),
        PYTHONPATH=str(ROOT),
    )
    return env


def chat(tmp_path: Path, lines: list[str], user: str = "1001") -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--user", user],
        cwd=ROOT,
        env=env_for(tmp_path),
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result.stdout
