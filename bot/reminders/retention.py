"""The sweep that removes phone numbers once they are no longer needed, woken every minute by the scheduler
(bot.scheduler)."""

from __future__ import annotations

import logging

from bot.engine.context import Services
from bot.storage.database import Database
from bot.storage.retention import Swept, forget_phone_numbers

log = logging.getLogger(__name__)


async def sweep_phone_numbers(db: Database, services: Services) -> Swept:
    """Forget the phone numbers older than the retention period, as of the clock's now."""
    async with db.transaction() as conn:
        swept = await forget_phone_numbers(conn, services.clock.now() - services.phone_retention)
    if swept.drafts or swept.messages:
        log.info("retention: phone numbers removed from %d draft(s), %d message(s)", swept.drafts, swept.messages)
    return swept
