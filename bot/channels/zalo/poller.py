"""Long polling: getUpdates over and over, one update per call, each committed to the inbox before the next
call (Zalo's getUpdates has no offset: what it returned is gone from Zalo, so it is kept before anything else).

An idle poll (Zalo's 408) is the normal quiet case. Any other failure is logged and waited out with a
growing pause; nothing a call can raise stops the loop, only cancelling it does.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.channels.webhook import Refused
from bot.channels.zalo.client import UNAUTHORIZED, ZaloApiError, ZaloClient, ZaloError
from bot.channels.zalo.inbox import Inbox
from bot.channels.zalo.retry import Sleep

log = logging.getLogger(__name__)

# Updates being answered at once before the poller stops taking more.
IN_FLIGHT = 256


class Poller:
    def __init__(
        self,
        client: ZaloClient,
        inbox: Inbox,
        *,
        poll_timeout: int | None = None,
        in_flight: int = IN_FLIGHT,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.client = client
        self.inbox = inbox
        self.poll_timeout = poll_timeout
        self.in_flight = in_flight
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.sleep = sleep
        self.polls = 0

    def _pause(self, failures: int) -> float:
        return min(self.max_delay, self.base_delay * float(2 ** (failures - 1)))

    async def run(self) -> None:
        failures = 0
        while True:
            await self.inbox.room(self.in_flight)
            try:
                updates = await self.client.get_updates(self.poll_timeout)
            except ZaloError as exc:
                failures += 1
                pause = self._pause(failures)
                if isinstance(exc, ZaloApiError) and exc.error_code == UNAUTHORIZED:
                    log.error("zalo: the Bot API refused ZALO_BOT_TOKEN; trying again in %.0f s", pause)
                else:
                    log.warning("zalo: getUpdates failed (%s); trying again in %.1f s", exc, pause)
                await self.sleep(pause)
                continue
            except Exception:
                failures += 1
                log.exception("zalo: getUpdates raised")
                await self.sleep(self._pause(failures))
                continue
            self.polls += 1
            failures = 0
            for update in updates:
                await self._keep(update)

    async def _keep(self, update: dict[str, Any]) -> None:
        """Keep the update, trying until the database takes it: Zalo will not give it again."""
        failures = 0
        while True:
            try:
                await self.inbox.keep(update)
                return
            except Refused as refused:
                log.warning("zalo: an update was refused (%s)", refused)
                return
            except Exception:
                failures += 1
                log.exception("zalo: an update could not be kept; trying again")
                await self.sleep(self._pause(failures))
