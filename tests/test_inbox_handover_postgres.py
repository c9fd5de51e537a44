"""Two workers on one PostgreSQL database: an update kept by one while the other holds that person's queue is
handled once the holder lets go, without waiting for anyone's regular sweep."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import App
from bot.clock import FixedClock
from bot.inbox.worker import InboxWorker
from bot.storage.inbox import Arrival, InboxRow
from bot.storage.opening import open_database
from tests.support.db import rows
from tests.support.net import wait_for

pytestmark = pytest.mark.parametrize("db_engine", ["postgresql"])


async def test_an_update_kept_while_another_worker_holds_the_person_is_handled_when_it_lets_go(
    app: App, clock: FixedClock
) -> None:
    from bot.storage.postgres import PostgresDatabase

    assert isinstance(app.db, PostgresDatabase)
    handled: list[str] = []
    first_going = asyncio.Event()
    first_may_end = asyncio.Event()

    async def handle(row: InboxRow) -> bool:
        if row.update_key == "p1":
            first_going.set()
            await first_may_end.wait()
        handled.append(row.update_key)
        return False  # the worker marks it handled

    other_db = await open_database(app.db.url)
    holder = InboxWorker(app.db, "zalo", clock, handle)
    other = InboxWorker(other_db, "zalo", clock, handle)
    try:
        await holder.keep(Arrival(update_key="p1", person="P", payload="{}"))
        await first_going.wait()
        # Kept by the other worker while the first holds P's queue: left to the holder, not taken here.
        await other.keep(Arrival(update_key="p2", person="P", payload="{}"))
        assert other.in_progress == 0
        first_may_end.set()
        # Neither worker runs its regular sweep here: only the holder's look as it lets go can take p2.
        await wait_for(lambda: len(handled) == 2, 20.0)
        await holder.join()
        assert handled == ["p1", "p2"]
        assert rows(app, "SELECT COUNT(*) FROM inbox WHERE handled_at IS NULL") == [(0,)]
    finally:
        first_may_end.set()
        await holder.close()
        await other.close()
        await other_db.close()
