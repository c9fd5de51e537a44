"""A plan's reminders are queued a batch at a time: the same rows as one at a time, each key once, and the
count of what was queued now, on both engines."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.clock import FixedClock
from bot.conversation.messages import Choice, Reply
from bot.reminders import jobs
from bot.reminders.jobs import run_planner
from bot.storage.database import fetch_all
from bot.storage.outbox import OutboxRepo, ToQueue
from tests.support.roles import representative

# executemany's count of inserted rows comes from each engine's driver.
BOTH_ENGINES = True

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MORNING = dt.datetime(2026, 12, 3, 8, 0, tzinfo=TZ)


async def rows(app: App) -> list[tuple[str, str, str, int | None, str, str]]:
    async with app.db.reading() as conn:
        found = await fetch_all(
            conn, "SELECT dedup_key, channel, chat_id, user_id, kind, payload FROM outbox ORDER BY dedup_key"
        )
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in found]


async def test_a_batch_queues_the_rows_one_at_a_time_would_and_each_key_once(app: App, clock: FixedClock) -> None:
    now = clock.now()
    reply = Reply(text="Nhắc hạn báo cáo", choices=(Choice(label="Báo cáo", value="/baocao"),))
    async with app.db.transaction() as conn:
        outbox = OutboxRepo(conn)
        assert await outbox.enqueue("one:1", "console", "a", reply, "reminder", now)
        batch = [ToQueue("many:1", "console", "a", None, reply), ToQueue("one:1", "console", "b", None, reply)]
        assert await outbox.enqueue_many(batch, "reminder", now) == 1  # one:1 was queued already
        assert await outbox.enqueue_many([], "reminder", now) == 0
    [many, one] = await rows(app)
    assert many[0] == "many:1" and one[0] == "one:1" and one[2] == "a"
    assert many[1:] == one[1:] and json.loads(many[5])["text"] == "Nhắc hạn báo cáo"


async def test_reminders_beyond_one_batch_are_all_queued_once(
    app: App, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jobs, "QUEUED_AT_ONCE", 2)
    units = ["H-LAPVO", "TP-SADEC", "H-TANHONG", "H-THAPMUOI", "H-LAIVUNG"]
    for number, unit in enumerate(units):
        await representative(app, f"rep{number}", unit)
    clock.set(MORNING)
    assert await run_planner(app.db, app.services) == 5
    assert await run_planner(app.db, app.services) == 0
    queued = await rows(app)
    assert sorted(key.rsplit(":", 1)[0] for key, *_ in queued) == sorted(f"rem:CN:{unit}:d-7" for unit in units)
    assert all("Nhắc hạn báo cáo" in json.loads(payload)["text"] for *_, payload in queued)
