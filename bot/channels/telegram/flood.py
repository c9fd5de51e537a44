"""Sending an answer to a user on Telegram: waiting out flood control, trying again what certainly did not
arrive, and a request that may have arrived (no answer in time, a connection lost after sending) once more
at most: a repeated question is harmless, a lost answer is not."""

from __future__ import annotations

import logging
from asyncio import sleep
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram.error import TelegramError

from bot.channels.telegram.failures import classify, retry_seconds
from bot.conversation import delivery

__all__ = ["patiently", "retry_seconds"]

log = logging.getLogger(__name__)

T = TypeVar("T")

# Longer than this and the user has given up on the answer anyway; the error is logged instead.
LONGEST_WAIT = 30.0
ATTEMPTS = 4
FIRST_PAUSE = 0.5


async def patiently(call: Callable[[], Awaitable[T]]) -> T:
    """Make the call, trying again as long as that cannot show the message twice (or once more, at most, when
    it might). Only for answers to the user's own message: the outbox schedules its own retries."""
    uncertain = 0
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return await call()
        except TelegramError as error:
            failure = classify(error)
            if attempt == ATTEMPTS or isinstance(failure, delivery.PermanentFailure):
                raise
            if isinstance(failure, delivery.Uncertain):
                uncertain += 1
                if uncertain > 1:
                    raise
                wait = 0.0
            elif isinstance(failure, delivery.RetryAfter):
                wait = failure.seconds
                if wait > LONGEST_WAIT:
                    raise
                log.warning("telegram: flood control, waiting %.0f s before sending again", wait)
            else:
                wait = FIRST_PAUSE * 2 ** (attempt - 1)
            await sleep(wait)
    raise AssertionError("unreachable")
