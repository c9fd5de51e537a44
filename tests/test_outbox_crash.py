"""A worker process killed in the middle of a fan-out, for real, and a new one: nothing lost, nothing doubled;
what the dead one had under way is uncertain, listed, and sent again only when an operator says so."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.app import App
from bot.cli import outbox as outbox_cli
from bot.clock import FixedClock, SystemClock
from bot.conversation.messages import Reply
from bot.outbox.limits import ChannelLimits
from bot.outbox.worker import OutboxWorker
from bot.storage.outbox import OutboxRepo
from tests.support.config import ROOT
from tests.support.db import rows
from tests.support.fake_sender import FakeSender, fake_sleep
from tests.support.outbox import enqueue, statuses

CHILD = """
import asyncio, os, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from bot.clock import SystemClock
from bot.outbox.limits import ChannelLimits
from bot.outbox.worker import OutboxWorker
from bot.storage.database import Database

class FileSender:
    # The line is written when the message reaches the messenger, before the worker hears back.
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


def run_child(app: App, tmp_path: Path, log: Path) -> list[str]:
    """Start a worker process on the database and SIGKILL it once it has sent 150 messages (mid-batch)."""
    script = tmp_path / "child.py"
    script.write_text(CHILD.format(root=str(ROOT), log=str(log), db=str(app.db.path)), encoding="utf-8")
    child = subprocess.Popen([sys.executable, str(script)], env={**os.environ})
    deadline = time.monotonic() + 30
    while (not log.exists() or len(log.read_text().splitlines()) < 150) and time.monotonic() < deadline:
        assert child.poll() is None, "the child stopped by itself"
        time.sleep(0.01)
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    return log.read_text().splitlines()


async def test_killed_mid_fan_out_nothing_lost_nothing_doubled(
    app: App, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    await enqueue(app, 400)
    log = tmp_path / "delivered.log"
    first = run_child(app, tmp_path, log)
    assert 150 <= len(first) < 400, "the child should be killed in the middle of the fan-out"
    claimed = rows(app, "SELECT COUNT(*) FROM outbox WHERE status = 'sending'")[0][0]
    assert isinstance(claimed, int) and 1 <= claimed <= 8  # at most its sends under way

    class Appender:
        channel = "telegram"

        async def send(self, chat_id: str, reply: Reply) -> None:
            with log.open("a") as handle:
                handle.write(chat_id + "\n")

    # A new worker, started at once: the claims of a process that is gone need not wait out their lease.
    clock = FixedClock(SystemClock().now())
    worker = OutboxWorker(
        app.db, {"telegram": Appender()}, clock, {"telegram": ChannelLimits(per_second=5000)}, sleep=fake_sleep(clock)
    )
    uncertain = await worker.recover()
    await worker.drain()
    delivered = log.read_text().splitlines()
    assert len(delivered) == len(set(delivered)), "a message was sent twice"
    assert uncertain == claimed and statuses(app) == {"sent": 400 - claimed, "uncertain": claimed}
    missing = {str(1000 + i) for i in range(400)} - set(delivered)
    assert len(missing) <= uncertain  # only an uncertain message may be unsent, never a queued one

    # The operator sees them, and may send them again, marked as a possible repeat.
    await outbox_cli.status(app, argparse.Namespace())
    shown = capsys.readouterr().out
    assert f"uncertain: {claimed}" in shown and "the process stopped while sending" in shown
    await outbox_cli.requeue_uncertain(app, argparse.Namespace())
    again = FakeSender()
    worker.senders = {"telegram": again}
    await worker.drain()
    assert len(again.delivered) == claimed and all(text.startswith("(Gửi lại:") for _, text in again.delivered)
    assert statuses(app) == {"sent": 400}


async def test_a_live_claim_is_left_alone(app: App, clock: FixedClock) -> None:
    """Another worker (the command line beside the running bot) does not take a send under way for a dead one."""
    await enqueue(app, 2)
    async with app.db.transaction() as conn:
        assert await OutboxRepo(conn).claim(1, clock.now())
    clock.advance(dt.timedelta(seconds=30))
    other = OutboxWorker(app.db, {"telegram": FakeSender()}, clock, sleep=fake_sleep(clock))
    async with app.db.transaction() as conn:
        # One claimed by a process that is alive (this one) is left alone as well.
        assert await OutboxRepo(conn).claim(2, clock.now(), other._mark().token)
    assert await other.recover() == 0
    await other.drain()
    assert statuses(app) == {"sending": 2}
    clock.advance(other.lease + dt.timedelta(seconds=1))
    assert await other.recover() == 2  # a live process whose send hangs past any time limit
