"""Workers on several machines see each other through the PostgreSQL server's locks: a killed worker's
outbox claims are resolved at once, not after the lease, and a person's updates are handled by the worker
holding that person's lock, then by another once the holder is killed."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import FixedClock
from bot.inbox.worker import InboxWorker
from bot.outbox.worker import OutboxWorker
from bot.storage.inbox import Arrival, InboxRow
from bot.storage.outbox import OutboxRepo
from tests.support.config import ROOT
from tests.support.db import rows
from tests.support.outbox import enqueue, statuses

pytestmark = pytest.mark.parametrize("db_engine", ["postgresql"])

# Another worker, as if on another machine: it shares nothing with the test but the database server.
CHILD = """
import asyncio, datetime as dt, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from bot.storage.opening import open_database
from bot.storage.outbox import OutboxRepo

async def main():
    db = await open_database({url!r})
    token = await db.locks.own_token()
    async with db.transaction(exclusive=False) as conn:
        await OutboxRepo(conn).claim(1, dt.datetime.now(dt.UTC), token)  # message 1, where there is one
    assert await db.locks.hold_person("zalo", "P")
    Path({ready!r}).write_text(token)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


def start_other_worker(app: App, folder: Path) -> subprocess.Popen[bytes]:
    from bot.storage.postgres import PostgresDatabase

    assert isinstance(app.db, PostgresDatabase)
    script, ready = folder / "other.py", folder / "ready"
    script.write_text(CHILD.format(root=str(ROOT), url=app.db.url, ready=str(ready)), encoding="utf-8")
    child = subprocess.Popen([sys.executable, str(script)])
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert child.poll() is None and time.monotonic() < deadline, "the other worker did not start"
        time.sleep(0.02)
    return child


async def eventually(check: object, seconds: float = 20.0) -> None:
    """Poll until the server has seen the killed worker's connection end (at once on one machine)."""
    deadline = time.monotonic() + seconds
    while not await check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the killed worker's lock was never released"
        await asyncio.sleep(0.05)


async def test_a_killed_workers_claims_are_resolved_at_once(app: App, clock: FixedClock, tmp_path: Path) -> None:
    await enqueue(app, 2)
    other = start_other_worker(app, tmp_path)
    worker = OutboxWorker(app.db, {}, clock)
    try:
        # Its owner is alive: the claim stays (the lease, minutes long, has not run out on the fixed clock).
        assert await worker.recover() == 0
        assert statuses(app) == {"sending": 1, "queued": 1}
        # This worker's own claims are never taken for a dead worker's.
        async with app.db.transaction(exclusive=False) as conn:
            assert await OutboxRepo(conn).claim(2, clock.now(), await worker._owner())
        assert await worker.recover() == 0
    finally:
        other.send_signal(signal.SIGKILL)
        other.wait(timeout=10)

    async def resolved() -> bool:
        return await worker.recover() == 1

    await eventually(resolved)
    assert statuses(app) == {"uncertain": 1, "sending": 1}
    assert rows(app, "SELECT id FROM outbox WHERE status = 'uncertain'") == [(1,)]


async def test_a_persons_updates_wait_for_the_worker_holding_them(app: App, clock: FixedClock, tmp_path: Path) -> None:
    handled: list[str] = []

    async def handle(row: InboxRow) -> bool:
        handled.append(row.update_key)
        return False  # the worker marks it handled

    worker = InboxWorker(app.db, "zalo", clock, handle)
    other = start_other_worker(app, tmp_path)
    try:
        for key, person in [("p1", "P"), ("q1", "Q"), ("p2", "P"), ("q2", "Q")]:
            await worker.keep(Arrival(update_key=key, person=person, payload="{}"))
        await worker.join()
        # P's queue is the other worker's: this one handles only Q's, and does not try P's.
        assert handled == ["q1", "q2"]
        assert rows(app, "SELECT update_key FROM inbox WHERE handled_at IS NULL ORDER BY id") == [("p1",), ("p2",)]
    finally:
        other.send_signal(signal.SIGKILL)
        other.wait(timeout=10)

    async def swept() -> bool:
        await worker.join()  # what the regular sweep does
        return len(handled) == 4

    await eventually(swept)
    assert handled == ["q1", "q2", "p1", "p2"]
    assert rows(app, "SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL") == [(0,)]
