"""Waking a planner every minute inside the running bot.

What is due is always found in the database (what was sent, what was decided), never in APScheduler's own
misfire handling: a late wake-up simply runs (no grace limit), and wake-ups missed while one ran fold into
one. A planner that fails is tried again at the next minute rather than stopping the schedule."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

log = logging.getLogger(__name__)


def add_minutely(
    scheduler: AsyncIOScheduler,
    job_id: str,
    plan: Callable[[], Awaitable[int]],
    on_queued: Callable[[], None] | None = None,
) -> None:
    """Run `plan` every minute and once at start-up; `on_queued` is told when it queued anything."""

    async def tick() -> None:
        try:
            queued = await plan()
        except asyncio.CancelledError:
            # The scheduler cancels a running tick when the bot stops (end of the terminal chat, Ctrl-C): its
            # transaction is rolled back and the next start plans again, so this is no error to show anyone.
            log.info("%s: stopped while planning; the next start plans again", job_id)
            return
        except Exception:
            log.exception("%s: planning failed; will try again in a minute", job_id)
            return
        if queued and on_queued is not None:
            on_queued()

    scheduler.add_job(
        tick,
        "interval",
        minutes=1,
        # APScheduler keeps wall-clock time; what is due is decided with the campaign clock inside `plan`.
        next_run_time=dt.datetime.now(dt.UTC),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
        id=job_id,
    )
