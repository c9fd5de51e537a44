"""Telegram's flood control: how long it asks us to wait, and waiting it out for an answer to a user."""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from asyncio import sleep
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import RetryAfter
from telegram.warnings import PTBDeprecationWarning

log = logging.getLogger(__name__)

T = TypeVar("T")

# Longer than this and the user has given up on the answer anyway; the error is logged instead.
LONGEST_WAIT = 30.0
ATTEMPTS = 3


def retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns that retry_after will become a timedelta; both forms are handled here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


async def patiently(call: Callable[[], Awaitable[T]]) -> T:
    """Make the call, waiting and trying again when Telegram says to slow down.

    Only for answers to the user's own message: proactive messages go through the outbox, which
    schedules its own retries."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except RetryAfter as error:
            wait = retry_seconds(error)
            if attempt == ATTEMPTS or wait > LONGEST_WAIT:
                raise
            log.warning("telegram: flood control, waiting %.0f s before sending again", wait)
            await sleep(wait)
    raise AssertionError("unreachable")
