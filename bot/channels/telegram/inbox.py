"""Telegram updates into the inbox: from our own long polling and our own webhook, both committing each update
before Telegram is told it arrived (the next getUpdates' offset, or the webhook's 200).

python-telegram-bot's Updater does neither: its webhook answers 200 before the update is handled and its
polling confirms an update with the next request whatever became of it. Its objects are still what we parse
updates into and send with.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot, Update
from telegram.error import InvalidToken, TelegramError

from bot.channels.telegram.application import ALLOWED_UPDATES
from bot.channels.webhook import Refused
from bot.inbox.worker import InboxWorker
from bot.storage.inbox import Arrival, payload_text

log = logging.getLogger(__name__)

POLL_TIMEOUT = 30
# Updates being handled at once before the poller stops taking more.
IN_FLIGHT = 256


def arrival(update: Update, payload: str) -> Arrival:
    """The update as the inbox keeps it, keyed by Telegram's update_id, in order per person."""
    user = update.effective_user
    chat = update.effective_chat
    person = str(user.id) if user is not None else f"chat:{chat.id}" if chat is not None else ""
    return Arrival(update_key=str(update.update_id), person=person, payload=payload)


def arrival_of_body(body: Any, bot: Bot) -> Arrival:
    """A webhook's body, checked to be an update; raises Refused otherwise."""
    if not isinstance(body, dict) or not isinstance(body.get("update_id"), int):
        raise Refused("not an update")
    payload = payload_text(body)
    sender = _sender(body)
    if sender is not None:
        # What we ask Telegram for is read from the JSON: it is parsed into PTB's objects once, when handled.
        return Arrival(update_key=str(body["update_id"]), person=sender, payload=payload, parsed=body)
    try:
        update = Update.de_json(body, bot)
    except Exception:
        raise Refused("not an update") from None
    return arrival(update, payload)


def _sender(body: dict[str, Any]) -> str | None:
    """The id of who sent a message or pressed a button, as `arrival` would find it; None for anything else."""
    for kind in ALLOWED_UPDATES:
        part = body.get(kind)
        if isinstance(part, dict):
            sender = part.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                return str(sender["id"])
            return None
    return None


class TelegramPoller:
    """getUpdates over and over. The offset that confirms updates to Telegram moves only past updates kept."""

    def __init__(
        self,
        bot: Bot,
        inbox: InboxWorker,
        *,
        timeout: int = POLL_TIMEOUT,
        in_flight: int = IN_FLIGHT,
        base_delay: float = 1.0,
        max_delay: float = 60.0,
    ) -> None:
        self.bot = bot
        self.inbox = inbox
        self.timeout = timeout
        self.in_flight = in_flight
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.offset: int | None = None

    def _pause(self, failures: int) -> float:
        return min(self.max_delay, self.base_delay * float(2 ** (failures - 1)))

    async def run(self) -> None:
        failures = 0
        while True:
            await self.inbox.room(self.in_flight)
            try:
                await self.poll_once()
                failures = 0
            except InvalidToken:
                raise
            except Exception as exc:
                failures += 1
                pause = self._pause(failures)
                if isinstance(exc, TelegramError):
                    log.warning("telegram: getUpdates failed (%s); trying again in %.1f s", exc, pause)
                else:
                    log.exception("telegram: polling failed; trying again in %.1f s", pause)
                await asyncio.sleep(pause)

    async def poll_once(self) -> int:
        updates = await self.bot.get_updates(offset=self.offset, timeout=self.timeout, allowed_updates=ALLOWED_UPDATES)
        if not updates:
            return 0
        arrivals = [arrival(u, payload_text(u.to_dict())) for u in updates]
        # Committed before the offset moves: the next getUpdates is what tells Telegram they arrived.
        await self.inbox.keep_all(arrivals)
        self.offset = max(u.update_id for u in updates) + 1
        return len(updates)
