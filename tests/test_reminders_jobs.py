"""APScheduler only wakes the planner: at start-up and every minute, never judging what a late run may do;
and the running bot's background workers deliver what the planner queues through the channels' senders."""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
from zoneinfo import ZoneInfo

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from bot.app import App
from bot.cli.run import background_runners
from bot.clock import FixedClock
from bot.conversation.messages import Reply
from bot.reminders.jobs import plan_from_db
from bot.scheduler import REMINDERS_JOB, build_scheduler
from tests.support.fake_sender import FakeSender
from tests.support.roles import representative

# Each database test runs on SQLite and on PostgreSQL.
BOTH_ENGINES = True

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
MORNING = dt.datetime(2026, 12, 3, 8, 0, tzinfo=TZ)


async def test_the_planner_runs_at_start_up_and_every_minute(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    clock.set(MORNING)
    queued = asyncio.Event()
    scheduler = build_scheduler(app.db, app.services, queued.set)
    scheduler.start()
    try:
        await asyncio.wait_for(queued.wait(), timeout=5)  # the start-up run, without waiting a minute
        job = scheduler.get_job(REMINDERS_JOB)
        assert job is not None
        assert isinstance(job.trigger, IntervalTrigger) and job.trigger.interval == dt.timedelta(minutes=1)
        # However late a wake-up comes (the machine slept, the loop was busy), it runs, once.
        assert job.misfire_grace_time is None and job.coalesce and job.max_instances == 1
    finally:
        scheduler.shutdown(wait=False)


class Awaited(FakeSender):
    def __init__(self) -> None:
        super().__init__("console")
        self.arrived = asyncio.Event()

    async def send(self, chat_id: str, reply: Reply) -> None:
        await super().send(chat_id, reply)
        self.arrived.set()


async def test_the_running_bot_sends_reminders_through_the_registered_sender(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    clock.set(MORNING)
    tasks = [asyncio.create_task(runner(app), name=name) for name, runner in background_runners(app)]
    try:
        await asyncio.sleep(0.1)
        sender = Awaited()
        app.senders["console"] = sender  # what a channel does when it has started
        await asyncio.wait_for(sender.arrived.wait(), timeout=5)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    [(chat, text)] = sender.delivered
    assert chat == "lapvo" and text.startswith("⏰ Nhắc hạn báo cáo")


async def test_planning_leaves_the_garbage_collector_on_even_when_it_fails(app: App) -> None:
    now = app.services.clock.now()
    async with app.db.reading() as conn:
        await plan_from_db(conn, app.services, now)
    assert gc.isenabled()
    with pytest.raises(AttributeError):
        async with app.db.reading() as conn:
            await plan_from_db(conn, app.services, "not a moment")  # type: ignore[arg-type]
    assert gc.isenabled()
