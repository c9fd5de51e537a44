"""The outbox worker on a fixed clock: exactly once through a storm of faults, RetryAfter honoured, refusals
recorded once, outages outlived, hung sends not repeated."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.app import App
from bot.clock import FixedClock
from bot.conversation.messages import Reply
from bot.outbox.worker import OutboxWorker
from tests.support.db import rows
from tests.support.fake_sender import FakeSender, fake_sleep
from tests.support.outbox import FAST, enqueue, statuses

# Each database test runs on SQLite and on PostgreSQL.
BOTH_ENGINES = True


async def test_the_same_key_is_queued_once(app: App) -> None:
    await enqueue(app, 5)
    await enqueue(app, 5)
    assert rows(app, "SELECT COUNT(*) FROM outbox") == [(5,)]


async def test_every_message_exactly_once_through_faults(app: App, clock: FixedClock) -> None:
    await enqueue(app, 400)
    blocked, missing = {"1007", "1100"}, {"1250"}
    sender = FakeSender(fault_rate=0.4, blocked=blocked, missing=missing, clock=clock)
    worker = OutboxWorker(app.db, {"telegram": sender}, clock, FAST, sleep=fake_sleep(clock))
    await worker.drain()
    assert sender.transient_faults > 150 and sender.faults["429"] > 30  # the faults really happened
    assert set(sender.counts().values()) == {1}
    assert {chat for chat, _ in sender.delivered} == {str(1000 + i) for i in range(400)} - blocked - missing
    assert statuses(app) == {"failed": 3, "sent": 397}
    # A refusal that will not change is recorded once and never tried again.
    assert sender.faults["forbidden"] == 2 and sender.faults["not found"] == 1
    assert rows(app, "SELECT COUNT(*) FROM outbox_attempts WHERE outcome = 'failed'") == [(3,)]
    # Every attempt is on record.
    assert rows(app, "SELECT COUNT(*) FROM outbox_attempts WHERE outcome = 'retry'") == [(sender.transient_faults,)]
    assert rows(app, "SELECT SUM(attempts) FROM outbox") == [(sender.transient_faults + 400,)]


async def test_retry_after_is_honoured(app: App, clock: FixedClock) -> None:
    await enqueue(app, 200)
    sender = FakeSender(fault_rate=0.3, clock=clock, seed=11)
    worker = OutboxWorker(app.db, {"telegram": sender}, clock, FAST, sleep=fake_sleep(clock))
    await worker.drain()
    assert len(sender.retry_after) > 10
    for asked_at, seconds in sender.retry_after:
        during = [t for t in sender.times if asked_at < t < asked_at + dt.timedelta(seconds=seconds)]
        assert during == [], f"sent while Telegram asked to wait {seconds}s from {asked_at}"
    assert len(sender.delivered) == 200


@pytest.mark.long
async def test_an_outage_is_outlived_and_a_stale_message_given_up(app: App, clock: FixedClock) -> None:
    await enqueue(app, 10)
    down = FakeSender(fault_rate=1.0, seed=3)
    worker = OutboxWorker(
        app.db, {"telegram": down}, clock, FAST, sleep=fake_sleep(clock), give_up_after=dt.timedelta(hours=3)
    )
    start = clock.now()
    while clock.now() - start < dt.timedelta(hours=2):
        assert await worker.run_once() >= 0
        await worker.sleep(60)
    assert down.transient_faults > 100  # every message tried again and again
    assert down.delivered == [] and statuses(app) == {"queued": 10}  # two hours down: still waiting
    up = FakeSender(seed=4)
    worker.senders = {"telegram": up}
    await worker.drain()
    assert sorted(up.counts().values()) == [1] * 10 and statuses(app) == {"sent": 10}

    await enqueue(app, 3, prefix="late")
    worker.senders = {"telegram": down}
    await worker.drain()  # three hours of failures, then it is recorded as failed
    assert statuses(app) == {"sent": 10, "failed": 3}
    errors = rows(app, "SELECT last_error FROM outbox WHERE status = 'failed'")
    assert all(str(e).startswith("gave up after") for (e,) in errors)
    assert clock.now() - start >= dt.timedelta(hours=5)


class Hanging:
    """A messenger that takes the request and never answers."""

    channel = "zalo"

    def __init__(self) -> None:
        self.started: list[str] = []

    async def send(self, chat_id: str, reply: Reply) -> None:
        self.started.append(chat_id)
        await asyncio.Event().wait()


async def test_a_send_that_never_answers_is_uncertain_not_repeated(app: App, clock: FixedClock) -> None:
    await enqueue(app, 3, channel="zalo")
    hanging = Hanging()
    worker = OutboxWorker(app.db, {"zalo": hanging}, clock, FAST, sleep=fake_sleep(clock), send_timeout=0.05)
    await worker.drain()
    assert statuses(app) == {"uncertain": 3}
    await worker.drain()
    assert len(hanging.started) == 3  # not sent again: it may have arrived
    assert rows(app, "SELECT DISTINCT outcome FROM outbox_attempts") == [("uncertain",)]


class Buggy:
    channel = "telegram"

    def __init__(self) -> None:
        self.calls = 0

    async def send(self, chat_id: str, reply: Reply) -> None:
        self.calls += 1
        if self.calls == 1:
            raise KeyError("a bug in a sender")


async def test_a_bug_in_a_sender_does_not_stop_the_worker(app: App, clock: FixedClock) -> None:
    await enqueue(app, 2)
    buggy = Buggy()
    worker = OutboxWorker(app.db, {"telegram": buggy}, clock, FAST, sleep=fake_sleep(clock))
    await worker.drain()
    assert statuses(app) == {"sent": 2} and buggy.calls == 3
    assert rows(app, "SELECT detail FROM outbox_attempts WHERE outcome = 'retry'") == [
        ("KeyError: 'a bug in a sender'",)
    ]
