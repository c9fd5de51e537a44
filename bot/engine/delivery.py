"""Sending a message on the bot's own initiative, and how a channel says that sending failed.

Every channel offers a Sender; the outbox worker uses them without knowing the messenger.
"""

from __future__ import annotations

from typing import Protocol

from bot.engine.messages import Reply


class DeliveryError(Exception):
    """Sending failed. Subclasses say whether and when to try again."""


class RetryAfter(DeliveryError):
    """The messenger asked us to wait (Telegram's 429 with retry_after)."""

    def __init__(self, seconds: float, detail: str = "") -> None:
        super().__init__(detail or f"retry after {seconds}s")
        self.seconds = seconds


class TransientFailure(DeliveryError):
    """A network error, timeout or 5xx: worth another try later."""


class PermanentFailure(DeliveryError):
    """The user blocked the bot, the chat does not exist: never retried."""


class Sender(Protocol):
    channel: str

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Deliver one reply to one chat, or raise a DeliveryError."""
        ...
