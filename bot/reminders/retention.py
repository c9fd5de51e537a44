"""The sweep that removes phone numbers once they are no longer needed, woken by the minutely ticker."""

from __future__ import annotations

import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.engine.context import Services
from bot.reminders.ticker import add_minutely
from bot.storage.database import Database
from bot.storage.retention import Swept, forget_phone_numbers

log = logging.getLogger(__name__)
JOB_ID = "retention"


async def sweep_phone_numbers(db: Database, services: Services) -> Swept:
    """Forget the phone numbers older than the retention period, as of the clock's now."""
    async with db.transaction() as conn:
        swept = await forget_phone_numbers(conn, services.clock.now() - services.phone_retention)
    if swept.drafts or swept.messages:
        log.info("retention: phone numbers removed from %d draft(s), %d message(s)", swept.drafts, swept.messages)
    return swept


def add_retention_job(scheduler: AsyncIOScheduler, db: Database, services: Services) -> None:
    async def tick() -> int:
        await sweep_phone_numbers(db, services)
        return 0  # nothing queued for the outbox

    add_minutely(scheduler, JOB_ID, tick)
