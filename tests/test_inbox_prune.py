"""The inbox forgets handled updates once no messenger would deliver them again, with the replies they kept,
and never one still to be handled or one received since the cut-off, whatever order the rows lie in."""

from __future__ import annotations

import datetime as dt

from bot.app import App
from bot.clock import FixedClock
from bot.conversation.messages import Reply
from bot.storage.inbox import Arrival, InboxRepo
from bot.storage.replies import RepliesRepo
from tests.support.db import rows

# Each database test runs on SQLite and on PostgreSQL.
BOTH_ENGINES = True

WEEK = dt.timedelta(days=7)


async def keep(app: App, key: str, at: dt.datetime, *, handled: bool = True) -> None:
    async with app.db.transaction() as conn:
        repo = InboxRepo(conn)
        arrival = Arrival(update_key=key, person="p", payload="{}")
        if handled:
            inbox_id = await repo.keep_handled("zalo", arrival, at)
            assert inbox_id is not None
            await RepliesRepo(conn).add(inbox_id, "p", [Reply(text=key)], at)
        else:
            assert await repo.keep("zalo", arrival, at)


async def prune(app: App, older_than: dt.datetime) -> int:
    async with app.db.transaction() as conn:
        return await InboxRepo(conn).prune(older_than)


def kept_keys(app: App) -> list[str]:
    return [str(key) for (key,) in rows(app, "SELECT update_key FROM inbox ORDER BY id")]


async def test_old_handled_updates_go_with_their_replies_and_the_rest_stay(app: App, clock: FixedClock) -> None:
    now = clock.now()
    await keep(app, "old-handled", now - 3 * WEEK)
    await keep(app, "old-unhandled", now - 3 * WEEK, handled=False)
    await keep(app, "old-handled-2", now - 2 * WEEK - dt.timedelta(seconds=1))
    await keep(app, "recent", now - WEEK)
    # Kept after a recent one with an older time (a clock set back): it may wait for a later prune.
    await keep(app, "late-old", now - 3 * WEEK)
    await keep(app, "newest", now)

    await prune(app, now - 2 * WEEK)
    kept = kept_keys(app)
    assert [key for key in kept if key != "late-old"] == ["old-unhandled", "recent", "newest"]
    replies = {text for (text,) in rows(app, "SELECT payload FROM replies")}
    assert replies == {Reply(text=key).model_dump_json() for key in kept if key != "old-unhandled"}


async def test_when_every_update_is_old_every_handled_one_goes(app: App, clock: FixedClock) -> None:
    now = clock.now()
    await keep(app, "a", now - 3 * WEEK)
    await keep(app, "b", now - 3 * WEEK, handled=False)
    await keep(app, "c", now - 3 * WEEK)

    assert await prune(app, now - 2 * WEEK) == 2
    assert kept_keys(app) == ["b"]
    assert rows(app, "SELECT COUNT(*) FROM replies") == [(0,)]
    assert await prune(app, now - 2 * WEEK) == 0
