"""Quick blocks (`quick=True`): on SQLite their statements run on the event loop's thread, with every promise of
a transaction kept, and without stopping the loop while another process holds the write lock."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from bot.app import App
from bot.storage.database import Connection, Database, fetch_one
from tests.support.engines import select

BOTH_ENGINES = True

INSERT = "INSERT INTO users (channel, external_id, chat_id, created_at) VALUES ('console', ?, ?, 'now')"


async def _add_user(conn: Connection, external_id: str) -> None:
    await conn.execute(INSERT, (external_id, external_id))


def _users(db: Database) -> list[str]:
    return [row[0] for row in select(db, "SELECT external_id FROM users ORDER BY external_id")]


async def test_a_quick_transaction_commits_and_rolls_back_on_error(app: App) -> None:
    async with app.db.transaction(quick=True) as tx:
        await _add_user(tx, "1")
    with pytest.raises(RuntimeError):
        async with app.db.transaction(quick=True) as tx:
            await _add_user(tx, "2")
            raise RuntimeError("the handler failed")
    async with app.db.one_statement(quick=True) as conn:
        await _add_user(conn, "3")
    async with app.db.reading(quick=True) as conn:
        row = await fetch_one(conn, "SELECT COUNT(*) FROM users WHERE channel = 'console'")
    assert row is not None and row[0] == 2
    assert _users(app.db) == ["1", "3"]


async def test_a_quick_transaction_stopped_midway_is_rolled_back(app: App) -> None:
    inside = asyncio.Event()

    async def write() -> None:
        async with app.db.transaction(quick=True) as tx:
            await _add_user(tx, "1")
            inside.set()
            await asyncio.Event().wait()  # a handler waiting on something else when the stop lands

    task = asyncio.create_task(write())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with app.db.transaction(quick=True) as tx:
        await _add_user(tx, "2")
    assert _users(app.db) == ["2"]


# -- SQLite only: where the statements run, and another process's write lock --------------------------------


@pytest.fixture
async def sqlite_db(tmp_path: Path, migrated_database: Path) -> AsyncIterator[Database]:
    shutil.copyfile(migrated_database, tmp_path / "thidua.db")
    db = await Database.open(tmp_path / "thidua.db")
    await db.conn.execute("SELECT 1")
    try:
        yield db
    finally:
        await db.close()


@pytest.fixture
def holder(sqlite_db: Database) -> Iterator[sqlite3.Connection]:
    """Another process's connection (the terminal chat, a command), free to hold the write lock."""
    conn = sqlite3.connect(sqlite_db.path, isolation_level=None, check_same_thread=False)
    yield conn
    conn.close()


async def test_quick_blocks_run_on_the_loop_and_the_others_on_the_database_thread(sqlite_db: Database) -> None:
    await sqlite_db.conn.create_function("thread_ident", 0, threading.get_ident)  # type: ignore[attr-defined]
    loop_thread = threading.get_ident()
    async with sqlite_db.reading(quick=True) as conn:
        quick = await fetch_one(conn, "SELECT thread_ident()")
    async with sqlite_db.reading() as conn:
        long = await fetch_one(conn, "SELECT thread_ident()")
    assert quick is not None and quick[0] == loop_thread
    # A read that may take long (an export, a digest) never holds up the loop.
    assert long is not None and long[0] != loop_thread


@pytest.mark.parametrize("kind", ["transaction", "one_statement"])
async def test_a_quick_write_waits_for_another_process_without_stopping_the_loop(
    sqlite_db: Database, holder: sqlite3.Connection, kind: str
) -> None:
    holder.execute("BEGIN IMMEDIATE")
    ran_meanwhile = threading.Event()
    released: list[bool] = []

    def release() -> None:
        # Let go once the loop has shown it runs while the write waits; after a while regardless, so a frozen
        # loop fails the test rather than hanging it.
        released.append(ran_meanwhile.wait(timeout=5))
        holder.execute("COMMIT")

    async def write() -> None:
        async with (
            sqlite_db.transaction(quick=True) if kind == "transaction" else sqlite_db.one_statement(quick=True) as conn
        ):
            await _add_user(conn, "1")

    releasing = threading.Thread(target=release)
    releasing.start()
    task = asyncio.create_task(write())
    for _ in range(3):
        await asyncio.sleep(0)
    assert not task.done()
    ran_meanwhile.set()
    await task
    await asyncio.to_thread(releasing.join)
    assert released == [True]
    assert _users(sqlite_db) == ["1"]
    # The connection is as it was: later quick blocks run on the loop again.
    async with sqlite_db.transaction(quick=True) as tx:
        await _add_user(tx, "2")
    assert _users(sqlite_db) == ["1", "2"]


async def test_a_quick_transaction_stopped_while_waiting_for_the_lock_leaves_nothing_open(
    sqlite_db: Database, holder: sqlite3.Connection
) -> None:
    holder.execute("BEGIN IMMEDIATE")
    written = asyncio.Event()

    async def write() -> None:
        async with sqlite_db.transaction(quick=True) as tx:
            await _add_user(tx, "1")
            written.set()

    task = asyncio.create_task(write())
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.sleep(0.05)
    # It is still waiting for the BEGIN that runs on its thread, whatever the stop said.
    assert not task.done()
    holder.execute("COMMIT")
    with pytest.raises(asyncio.CancelledError):
        await task
    assert not written.is_set()
    async with sqlite_db.transaction(quick=True) as tx:
        await _add_user(tx, "2")
    async with sqlite_db.transaction() as tx:
        await _add_user(tx, "3")
    assert _users(sqlite_db) == ["2", "3"]


async def test_a_block_on_the_database_thread_after_a_quick_one_still_waits_for_another_process(
    sqlite_db: Database, holder: sqlite3.Connection
) -> None:
    async with sqlite_db.transaction(quick=True) as tx:
        await _add_user(tx, "1")
    holder.execute("BEGIN IMMEDIATE")
    waiting = threading.Event()

    def release() -> None:
        waiting.wait(timeout=5)
        holder.execute("COMMIT")

    releasing = threading.Thread(target=release)
    releasing.start()
    task = asyncio.create_task(_write_on_the_thread(sqlite_db))
    for _ in range(3):
        await asyncio.sleep(0)
    waiting.set()
    await task
    await asyncio.to_thread(releasing.join)
    assert _users(sqlite_db) == ["1", "2"]


async def _write_on_the_thread(db: Database) -> None:
    async with db.transaction() as tx:
        await _add_user(tx, "2")
