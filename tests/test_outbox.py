"""The outbox: exactly-once delivery through injected faults, rate limits, and a killed process."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bot.app import App
from bot.clock import FixedClock
from bot.engine.messages import Reply
from bot.outbox.limits import ChannelLimits, RateLimiter
from bot.outbox.worker import OutboxWorker
from bot.storage.outbox import OutboxRepo
from tests.conftest import ROOT
from tests.fake_sender import FakeSender, fake_sleep


async def enqueue(app: App, count: int, channel: str = "telegram", prefix: str = "m") -> None:
    now = app.services.clock.now()
    async with app.db.transaction() as conn:
        repo = OutboxRepo(conn)
        for i in range(count):
            await repo.enqueue(f"{prefix}:{i}", channel, str(1000 + i), Reply(text=f"Nhắc việc {i}"), "test", now)


def rows(app: App, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(app.db.path) as conn:
        return conn.execute(sql).fetchall()


async def test_the_same_key_is_queued_once(app: App) -> None:
    await enqueue(app, 5)
    await enqueue(app, 5)
    assert rows(app, "SELECT COUNT(*) FROM outbox") == [(5,)]


async def test_every_message_exactly_once_through_faults(app: App, clock: FixedClock) -> None:
    await enqueue(app, 300)
    blocked = {"1007", "1100"}
    sender = FakeSender(fault_rate=0.4, blocked=blocked)
    worker = OutboxWorker(
        app.db, {"telegram": sender}, clock, {"telegram": ChannelLimits(per_second=1000)}, sleep=fake_sleep(clock)
    )
    await worker.drain()
    counts = sender.counts()
    assert sum(sender.faults[f] for f in ("429", "500", "timeout")) > 100  # the faults really happened
    assert all(n == 1 for n in counts.values())
    assert {chat for chat, _ in counts} == {str(1000 + i) for i in range(300)} - blocked
    assert rows(app, "SELECT status, COUNT(*) FROM outbox GROUP BY status ORDER BY 1") == [("failed", 2), ("sent", 298)]
    # A refusal that will not change is recorded once and never retried.
    assert sender.faults["forbidden"] == 2
    assert rows(app, "SELECT COUNT(*) FROM outbox_attempts WHERE outcome = 'failed'") == [(2,)]
    retried = rows(app, "SELECT COUNT(*) FROM outbox_attempts WHERE outcome = 'retry'")[0][0]
    assert retried == sum(sender.faults[f] for f in ("429", "500", "timeout"))


async def test_a_failing_channel_does_not_hold_up_another(app: App, clock: FixedClock) -> None:
    await enqueue(app, 20, channel="telegram", prefix="t")
    await enqueue(app, 20, channel="zalo", prefix="z")
    broken = FakeSender("telegram", fault_rate=1.0)
    working = FakeSender("zalo")
    worker = OutboxWorker(app.db, {"telegram": broken, "zalo": working}, clock, sleep=fake_sleep(clock))
    for _ in range(5):
        await worker.run_once()
    assert len(working.delivered) == 20 and broken.delivered == []
    assert rows(app, "SELECT COUNT(*) FROM outbox WHERE channel = 'telegram' AND status = 'queued'") == [(20,)]


async def test_a_channel_that_is_not_running_waits(app: App, clock: FixedClock) -> None:
    await enqueue(app, 3, channel="zalo")
    worker = OutboxWorker(app.db, {}, clock, sleep=fake_sleep(clock))
    assert await worker.run_once() == 0
    assert rows(app, "SELECT status, attempts FROM outbox") == [("queued", 0)] * 3


def test_rate_limits_are_scheduled_ahead() -> None:
    limiter = RateLimiter(ChannelLimits(per_second=10, per_chat_seconds=1, per_group_per_minute=20))
    slots = [limiter.take(str(i), now=0.0) for i in range(20)]
    assert abs((slots[-1] - slots[0]) - 1.9) < 1e-9  # 20 messages at 10/s
    assert limiter.take("3", now=0.0) >= 1.0  # a chat waits a second between two messages
    assert limiter.take("-100", now=5.0, group=True) == 5.0
    assert limiter.take("-100", now=5.0, group=True) == 8.0  # 20 a minute in a group


CHILD = """
import asyncio, os, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from bot.clock import SystemClock
from bot.engine.messages import Reply
from bot.outbox.limits import ChannelLimits
from bot.outbox.worker import OutboxWorker
from bot.storage.database import Database

class FileSender:
    channel = "telegram"
    async def send(self, chat_id, reply):
        with open({log!r}, "a") as log:
            log.write(chat_id + "\\n")
            log.flush()
            os.fsync(log.fileno())
        await asyncio.sleep(0.005)

async def main():
    db = await Database.open(Path({db!r}))
    worker = OutboxWorker(db, {{"telegram": FileSender()}}, SystemClock(), {{"telegram": ChannelLimits(per_second=200)}})
    await worker.drain()

asyncio.run(main())
"""


async def test_killed_mid_fan_out_nothing_lost_nothing_doubled(app: App, tmp_path: Path) -> None:
    from bot.clock import SystemClock

    await enqueue(app, 400)
    log = tmp_path / "delivered.log"
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT), log=str(log), db=str(app.db.path)), encoding="utf-8")
    child = subprocess.Popen([sys.executable, str(script)], env={**os.environ})
    deadline = time.monotonic() + 30
    while (not log.exists() or len(log.read_text().splitlines()) < 100) and time.monotonic() < deadline:
        assert child.poll() is None, "the child stopped by itself"
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    first = log.read_text().splitlines()
    assert 100 <= len(first) < 400, "the child should be killed in the middle of the fan-out"

    class Appender:
        channel = "telegram"

        async def send(self, chat_id: str, reply: Reply) -> None:
            with log.open("a") as handle:
                handle.write(chat_id + "\n")

    worker = OutboxWorker(app.db, {"telegram": Appender()}, SystemClock(), {"telegram": ChannelLimits(per_second=5000)})
    uncertain = await worker.recover()
    await worker.drain()
    delivered = log.read_text().splitlines()
    assert len(delivered) == len(set(delivered)), "a message was sent twice"
    statuses = {str(k): int(str(v)) for k, v in rows(app, "SELECT status, COUNT(*) FROM outbox GROUP BY status")}
    assert statuses.get("sent", 0) + statuses.get("uncertain", 0) == 400
    assert statuses.get("uncertain", 0) == uncertain <= 8  # at most the sends in flight when it died
    missing = {str(1000 + i) for i in range(400)} - set(delivered)
    assert len(missing) <= uncertain  # only an uncertain message may be unsent, never a queued one
