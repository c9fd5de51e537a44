"""The outbox against a messenger failing a fifth, then half, of all sends in every way a network can: no
message shown twice, every other one delivered or listed as uncertain."""

from __future__ import annotations

import argparse

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.app import App
from bot.channels.telegram.sender import TelegramSender
from bot.cli import outbox as outbox_cli
from bot.clock import FixedClock
from bot.outbox.limits import ChannelLimits
from bot.outbox.worker import OutboxWorker
from tests.support.db import rows
from tests.support.fake_sender import fake_sleep
from tests.support.faulty_messenger import AFTER, FaultyMessenger
from tests.support.outbox import enqueue, statuses
from tests.support.telegram_fake import TOKEN

# A thousand messages meet about 250 faults at a fifth and 800 at half, 28 to 110 of each of the eight kinds:
# every kind is met, and recorded, many times over. Two thousand made the same claims at twice the cost.
FAN_OUT = 1000
# python-telegram-bot warns about a future type of retry_after each time it makes a RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


@pytest.mark.parametrize("rate", [0.2, 0.5])
@pytest.mark.long
async def test_a_fan_out_through_faults_shows_nothing_twice(
    app: App, clock: FixedClock, rate: float, capsys: pytest.CaptureFixture[str]
) -> None:
    await enqueue(app, FAN_OUT)
    messenger = FaultyMessenger(rate)
    bot = Bot(TOKEN, request=HTTPXRequest(httpx_kwargs={"transport": messenger.transport()}))
    await bot.initialize()
    limits = {"telegram": ChannelLimits(per_second=100_000, per_chat_seconds=0)}
    worker = OutboxWorker(app.db, {"telegram": TelegramSender(bot)}, clock, limits, sleep=fake_sleep(clock), batch=500)
    try:
        await worker.drain()
    finally:
        await bot.shutdown()

    assert messenger.duplicates() == {}
    uncertain = sum(messenger.faults[name] for name in AFTER)
    assert statuses(app) == {"sent": FAN_OUT - uncertain, "uncertain": uncertain}
    # Each uncertain one did arrive here (the fault came after acceptance); every sent one arrived once.
    assert len(messenger.delivered) == FAN_OUT
    assert messenger.faults.total() > rate * FAN_OUT * 0.8  # the faults really happened, of every kind
    assert len(messenger.faults) == 8
    # Listed for an operator, with what happened.
    await outbox_cli.status(app, argparse.Namespace())
    shown = capsys.readouterr().out
    assert (f"uncertain: {uncertain}" in shown and "Timed out" in shown) or "disconnected" in shown
    assert rows(app, "SELECT COUNT(*) FROM outbox WHERE status = 'uncertain' AND last_error IS NULL") == [(0,)]
