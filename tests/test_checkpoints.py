"""SQLite's checkpoints run beside the bot's commits, never inside one: what is committed reaches the database
file shortly after, the write-ahead log does not grow without end under writes that never pause, and a
closed database leaves no log behind."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from pathlib import Path

from bot.storage.checkpoints import Checkpointer
from bot.storage.database import Database, fetch_one

# About one page of text per row: a few rows make a commit of several pages, as an update's does.
PAGE_OF_TEXT = "việc tốt " * 400


async def _write(db: Database, first: int, count: int) -> None:
    async with db.transaction(quick=True) as tx:
        for number in range(first, first + count):
            await tx.execute(
                "INSERT INTO users (channel, external_id, chat_id, display_name, created_at)"
                " VALUES ('console', ?, ?, ?, 'now')",
                (str(number), str(number), PAGE_OF_TEXT),
            )


def _count_in_file_alone(path: Path, copy: Path) -> int:
    """The users found in the database file without its log: what a copy of the file alone would hold."""
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(copy)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM users WHERE channel = 'console'").fetchone()[0])
    finally:
        conn.close()


async def test_a_commit_leaves_the_copying_to_the_checkpointer(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "thidua.db")
    try:
        async with db.reading() as conn:
            row = await fetch_one(conn, "PRAGMA wal_autocheckpoint")
        assert row is not None and row[0] == 0
        await _write(db, 0, 300)
        await db.checkpoints.next_checkpoint()
        assert _count_in_file_alone(tmp_path / "thidua.db", tmp_path / "copy.db") == 300
        # And again for what came after the first checkpoint.
        await _write(db, 300, 50)
        await db.checkpoints.next_checkpoint()
        assert _count_in_file_alone(tmp_path / "thidua.db", tmp_path / "copy.db") == 350
    finally:
        await db.close()
    assert not (tmp_path / "thidua.db-wal").exists()


class WritesMeanwhile(Checkpointer):
    """A checkpointer during whose passive copy another connection commits, as the bot's updates go on
    committing on the event loop while a checkpoint runs on its thread."""

    def _copy(self, conn: sqlite3.Connection, mode: str) -> int:
        if mode != "PASSIVE":
            return super()._copy(conn, mode)
        other = sqlite3.connect(self.path, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute(
                "INSERT INTO users (channel, external_id, chat_id, created_at) VALUES ('console', 'x', 'x', 'now')"
            )
            pages = super()._copy(conn, mode)
            other.execute("COMMIT")
        finally:
            other.close()
        return pages


def _log_pages(path: Path) -> int:
    """The pages the log holds now, read from its file without touching the database: the frames from the
    start that carry the header's salt (the log's file keeps its length when it starts over)."""
    data = path.with_name(path.name + "-wal").read_bytes()
    if len(data) < 32:
        return 0
    page_size = int.from_bytes(data[8:12], "big")
    salt = data[16:24]
    frames = 0
    offset = 32
    while offset + 24 + page_size <= len(data) and data[offset + 8 : offset + 16] == salt:
        frames += 1
        offset += 24 + page_size
    return frames


async def test_a_long_log_starts_over_though_commits_came_during_its_checkpoint(tmp_path: Path) -> None:
    path = tmp_path / "thidua.db"
    db = await Database.open(path)
    db.checkpoints = WritesMeanwhile(path, pause=0.0, restart_pages=100)
    try:
        await _write(db, 0, 100)
        long_log = _log_pages(path)
        assert long_log >= 100
        await db.checkpoints.next_checkpoint()
        await _write(db, 100, 1)
        # The next commit wrote from the log's beginning: it holds that commit's pages, not all before it.
        assert _log_pages(path) < long_log / 4
    finally:
        await db.close()


async def test_a_long_reader_holds_neither_the_writes_nor_the_checkpoints_back(tmp_path: Path) -> None:
    path = tmp_path / "thidua.db"
    db = await Database.open(path)
    db.checkpoints = Checkpointer(path, pause=0.0, restart_pages=100)
    export = sqlite3.connect(path, isolation_level=None)
    try:
        await _write(db, 0, 100)
        # An export's read of the state as it was: a checkpoint cannot copy the log to its end until it ends.
        export.execute("BEGIN")
        assert export.execute("SELECT COUNT(*) FROM users WHERE channel = 'console'").fetchone()[0] == 100
        await _write(db, 100, 100)
        # Copying to the end gives up after a moment rather than waiting out the reader with writers held back:
        # five seconds is far more than that moment, and half of what a writer waits before it fails.
        await asyncio.wait_for(db.checkpoints.next_checkpoint(), 5)
        await _write(db, 200, 1)
        export.execute("COMMIT")
        await db.checkpoints.next_checkpoint()
        assert _count_in_file_alone(path, tmp_path / "copy.db") == 201
    finally:
        export.close()
        await db.close()
