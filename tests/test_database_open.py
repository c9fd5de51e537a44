"""A database that cannot be opened ends the process at once, with one clear line and a non-zero exit, so a
supervisor sees the failure and can restart it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.config import CAMPAIGN, ROOT


def run_bot(tmp_path: Path, database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{database}",
        "DATA_DIR": str(tmp_path / "data"),
        "CAMPAIGN_FILE": str(CAMPAIGN),
        "TELEGRAM_BOT_TOKEN": "",
        "ZALO_BOT_TOKEN": "",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("command", [["run"], ["outbox", "status"]])
def test_a_file_that_is_not_a_database_ends_the_process_with_one_line(tmp_path: Path, command: list[str]) -> None:
    database = tmp_path / "thidua.db"
    database.write_bytes(b"these are not the bytes of a SQLite database " * 100)
    done = run_bot(tmp_path, database, *command)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert lines == [f"error: cannot open the database {database}: file is not a database"]
    assert "Traceback" not in done.stderr


def test_a_folder_in_place_of_the_database_is_named(tmp_path: Path) -> None:
    database = tmp_path / "thidua.db"
    database.mkdir()
    done = run_bot(tmp_path, database, "outbox", "status")
    assert done.returncode == 1 and done.stderr.startswith(f"error: cannot open the database {database}: ")
    assert len(done.stderr.strip().splitlines()) == 1
