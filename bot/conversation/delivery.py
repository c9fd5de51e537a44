"""Sending a message on the bot's own initiative, and how a channel says that sending failed.

Every channel offers a Sender; the outbox worker uses them without knowing the messenger.
"""

from __future__ import annotations

from typing import Protocol

from bot.conversation.messages import Reply


class DeliveryError(Exception):
    """Sending failed. Subclasses say whether and when to try again."""


class RetryAfter(DeliveryError):
    """The messenger asked us to wait (Telegram's 429 with retry_after)."""

    def __init__(self, seconds: float, detail: str = "") -> None:
        super().__init__(detail or f"retry after {seconds}s")
        self.seconds = seconds


class TransientFailure(DeliveryError):
    """Refused before the message could arrive (no connection, a connect timeout, an explicit 5xx answer):
    worth another try later."""


class Uncertain(DeliveryError):
    """The request may have reached the messenger (no answer in time, the connection lost after sending, an
    answer that cannot be read): sending again could show the message twice."""


class PermanentFailure(DeliveryError):
    """The user blocked the bot, the chat does not exist: never retried."""


class Sender(Protocol):
    channel: str

    async def send(self, chat_id: str, reply: Reply) -> None:
        """Deliver one reply to one chat, or raise a DeliveryError."""
        ...
