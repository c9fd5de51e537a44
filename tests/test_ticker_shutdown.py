"""Stopping the bot while a minutely planner is running is a normal stop, not an error in the log: the
terminal chat ends this way every time its input closes."""

from __future__ import annotations

import asyncio
import logging

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.scheduler import add_minutely


async def test_a_tick_cancelled_by_the_scheduler_stopping_logs_no_error(caplog: pytest.LogCaptureFixture) -> None:
    started = asyncio.Event()

    async def plan() -> int:
        started.set()
        await asyncio.Event().wait()  # still planning when the bot stops
        return 0

    scheduler = AsyncIOScheduler()
    add_minutely(scheduler, "reminders", plan)
    with caplog.at_level(logging.INFO):
        scheduler.start()
        await asyncio.wait_for(started.wait(), timeout=10)
        scheduler.shutdown(wait=False)
        for _ in range(50):  # let the cancelled job finish and APScheduler report on it
            await asyncio.sleep(0)
    assert "reminders: stopped while planning" in caplog.text
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
