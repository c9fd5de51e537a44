"""The running bot's scheduler: the reminder planner, the secretariat's digests and the phone-number sweep,
each woken every minute and at start-up.

The jobs know nothing of APScheduler or of each other; this module composes them. What is due is always
found in the database (what was sent, what was decided), never in APScheduler's own misfire handling: a late
wake-up simply runs (no grace limit), and wake-ups missed while one ran fold into one. A planner that fails
is tried again at the next minute rather than stopping the schedule."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.digests.jobs import run_digests
from bot.engine.context import Services
from bot.reminders.jobs import DuePlanner
from bot.reminders.retention import sweep_phone_numbers
from bot.storage.database import Database

log = logging.getLogger(__name__)

REMINDERS_JOB = "reminders"
DIGESTS_JOB = "digests"
RETENTION_JOB = "retention"


def build_scheduler(db: Database, services: Services, on_queued: Callable[[], None] | None = None) -> AsyncIOScheduler:
    """The scheduler of the running bot: the reminder planner, and the secretariat's digests beside it, each
    planned from its own log in the database; `on_queued` is told when either queued anything."""
    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    add_minutely(scheduler, REMINDERS_JOB, DuePlanner(db, services), on_queued)
    add_minutely(scheduler, DIGESTS_JOB, lambda: run_digests(db, services), on_queued)

    async def sweep() -> int:
        await sweep_phone_numbers(db, services)
        return 0  # nothing queued for the outbox

    add_minutely(scheduler, RETENTION_JOB, sweep)
    return scheduler


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
