"""What a failed Bot API call means for sending again: refused before the message could arrive, possibly
arrived, or refused for good. python-telegram-bot raises NetworkError for all of the first two; the httpx
error under it (or, for an HTTP answer, its absence) tells them apart."""

from __future__ import annotations

import datetime as dt
import warnings

import httpx
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.warnings import PTBDeprecationWarning

from bot.conversation import delivery

# The request never left: no connection was made (DNS included), or none was free.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
_NOT_SENT_NAMES = tuple(f"httpx.{kind.__name__}" for kind in _NOT_SENT)


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after will become a timedelta; both forms are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


def classify(error: TelegramError) -> delivery.DeliveryError:
    """The delivery error a Telegram error amounts to."""
    text = str(error)
    if isinstance(error, RetryAfter):
        return delivery.RetryAfter(retry_seconds(error), text)
    if isinstance(error, Forbidden | ChatMigrated | BadRequest):
        # Blocked, a deleted account, a group that moved, a request Telegram rejects as malformed: the same
        # again would be refused the same way. (In PTB, BadRequest is a NetworkError: checked first.)
        return delivery.PermanentFailure(text)
    if isinstance(error, InvalidToken):
        # The bot's token, not this message: refused before anything was sent.
        return delivery.TransientFailure(text)
    if not isinstance(error, NetworkError):
        # "Invalid server response": a 2xx answer that cannot be read. It was most likely sent.
        return delivery.Uncertain(text)
    cause = error.__cause__
    if isinstance(cause, httpx.HTTPError):
        return delivery.TransientFailure(text) if isinstance(cause, _NOT_SENT) else delivery.Uncertain(text)
    if text.startswith(_NOT_SENT_NAMES):
        return delivery.TransientFailure(text)
    if isinstance(error, TimedOut) or text.startswith(("httpx.", "Unknown error in HTTP implementation")):
        return delivery.Uncertain(text)
    # An answer from the server (a 5xx, a proxy's 502 page): it says the message was not taken.
    return delivery.TransientFailure(text)
