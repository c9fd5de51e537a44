"""`units import` beside the running bot: it checks the file with no write lock held (a dry run takes none at
all) and writes in short transactions, so a person's step in the chat goes through in between."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bot.app import App
from bot.conversation.messages import Incoming, Kind
from tests.support.config import CAMPAIGN, ROOT

ROWS = 8_000
# Between two chat steps: the import's chunks take longer than this, so steps still fall between and during
# them, and the test's own steps leave the processor to the import (and to the rest of the suite) meanwhile.
PAUSE = 0.005


def units_file(tmp_path: Path) -> Path:
    path = tmp_path / "units.csv"
    lines = ["code,name,kind", *(f"T-{i:06d},Tổ dân phố số {i},to" for i in range(ROWS))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def start_import(app: App, tmp_path: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite:///{app.db.path}",
        "DATA_DIR": str(tmp_path / "data"),
        "CAMPAIGN_FILE": str(CAMPAIGN),
    }
    command = [sys.executable, "-m", "bot", "units", "import", str(units_file(tmp_path)), *extra]
    return subprocess.Popen(command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL)


def imported(app: App) -> int:
    with sqlite3.connect(app.db.path) as db:
        return int(db.execute("SELECT COUNT(*) FROM unit_versions WHERE code LIKE 'T-%'").fetchone()[0])


def watch(app: App, seen: set[int], stop: threading.Event) -> None:
    with sqlite3.connect(app.db.path) as db:
        while not stop.is_set():
            count = int(db.execute("SELECT COUNT(*) FROM unit_versions WHERE code LIKE 'T-%'").fetchone()[0])
            seen.add(count)
            if 0 < count < ROWS:
                # Seen between two of the import's commits, which is all the test asks: each look counts the
                # whole table, and looking on would take a core from the import and the chat it measures.
                return
            stop.wait(0.001)


async def step(app: App) -> str:
    incoming = Incoming(channel="zalo", user_id="u-1", chat_id="u-1", kind=Kind.COMMAND, command="start")
    replies = await app.engine.handle(incoming)
    return "\n".join(reply.text for reply in replies)


@pytest.mark.long
async def test_a_chat_step_goes_through_during_a_dry_run_and_an_import(app: App, tmp_path: Path) -> None:
    apology = app.services.catalog.t("vi", "errors.internal")
    dry = start_import(app, tmp_path, "--dry-run")
    during_dry_run = 0
    while dry.poll() is None:
        answer = await step(app)
        assert apology not in answer and "Xin chào" in answer
        during_dry_run += dry.poll() is None
        await asyncio.sleep(PAUSE)
    assert (dry.returncode, imported(app)) == (0, 0)
    assert during_dry_run > 0  # answered while the dry run was still going

    # A reader (never blocked in WAL mode) watches the import's commits go by, one chunk after another.
    seen: set[int] = set()
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(app, seen, stop))
    watcher.start()
    run = start_import(app, tmp_path)
    try:
        while run.poll() is None:
            answer = await step(app)
            assert apology not in answer and "Xin chào" in answer
            await asyncio.sleep(PAUSE)
    finally:
        stop.set()
        watcher.join()
    assert (run.returncode, imported(app)) == (0, ROWS)
    assert any(0 < count < ROWS for count in seen), "the import wrote everything in one transaction"
