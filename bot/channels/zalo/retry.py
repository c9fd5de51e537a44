"""Trying a Bot API call again after a network error, a timeout, Zalo's 5xx or 429: a few times, backing off."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from bot.channels.zalo.client import ZaloApiError, ZaloError, ZaloTransportError

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0

    def delay(self, attempt: int, rng: random.Random) -> float:
        """Before try number attempt + 1: 0.5 s, 1 s, 2 s ... give or take a quarter, capped."""
        ceiling = min(self.max_delay, self.base_delay * float(2 ** (attempt - 1)))
        return ceiling * (0.75 + rng.random() / 2)


NO_RETRY = RetryPolicy(attempts=1)


def maybe_sent(exc: ZaloError) -> bool:
    """The request may have reached Zalo: sending it again could show the message twice."""
    return isinstance(exc, ZaloTransportError | ZaloApiError) and exc.maybe_sent


def retryable(exc: ZaloError) -> bool:
    return isinstance(exc, ZaloTransportError) or (isinstance(exc, ZaloApiError) and (exc.transient or exc.maybe_sent))


async def with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    sleep: Sleep = asyncio.sleep,
    rng: random.Random | None = None,
    idempotent: bool = True,
) -> T:
    """call(), again after a failure worth another try, until policy.attempts are spent; the last error is
    raised. A call that is not idempotent (a send) is tried again freely only when it certainly did not reach
    Zalo; when it may have, once more at most: a repeated message is better than none, twice repeated is not."""
    chance = rng or random.Random()
    attempt = 1
    uncertain = 0
    while True:
        try:
            return await call()
        except ZaloError as exc:
            if attempt >= policy.attempts or not retryable(exc):
                raise
            if not idempotent and maybe_sent(exc):
                uncertain += 1
                if uncertain > 1:
                    raise
            wait = policy.delay(attempt, chance)
            if isinstance(exc, ZaloApiError) and exc.retry_after is not None:
                wait = max(wait, min(exc.retry_after, policy.max_delay))
        await sleep(wait)
        attempt += 1
