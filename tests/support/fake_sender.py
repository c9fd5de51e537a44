"""A Sender that records deliveries and fails on demand, standing in for a messenger."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter
from collections.abc import Awaitable, Callable

from bot.clock import Clock, FixedClock
from bot.conversation import delivery
from bot.conversation.messages import Reply

FAULTS = ("429", "500", "timeout")


class FakeSender:
    """Delivers to `delivered` (with the clock's time in `times`), or raises what a messenger would: 429 with
    a retry_after, a 5xx, a timeout (each at `fault_rate`), Forbidden for `blocked` chats and "chat not
    found" for `missing` ones."""

    def __init__(
        self,
        channel: str = "telegram",
        *,
        fault_rate: float = 0.0,
        blocked: set[str] | None = None,
        missing: set[str] | None = None,
        clock: Clock | None = None,
        seed: int = 7,
    ) -> None:
        self.channel = channel
        self.fault_rate = fault_rate
        self.blocked = blocked or set()
        self.missing = missing or set()
        self.clock = clock
        self.rng = random.Random(seed)
        self.delivered: list[tuple[str, str]] = []
        self.times: list[dt.datetime] = []
        self.faults: Counter[str] = Counter()
        self.retry_after: list[tuple[dt.datetime, float]] = []

    async def send(self, chat_id: str, reply: Reply) -> None:
        if chat_id in self.blocked:
            self.faults["forbidden"] += 1
            raise delivery.PermanentFailure("Forbidden: bot was blocked by the user")
        if chat_id in self.missing:
            self.faults["not found"] += 1
            raise delivery.PermanentFailure("Bad Request: chat not found")
        if self.rng.random() < self.fault_rate:
            fault = self.rng.choice(FAULTS)
            self.faults[fault] += 1
            if fault == "429":
                seconds = float(self.rng.randint(1, 5))
                if self.clock is not None:
                    self.retry_after.append((self.clock.now(), seconds))
                raise delivery.RetryAfter(seconds, f"Too Many Requests: retry after {seconds:.0f}")
            raise delivery.TransientFailure("Bad Gateway" if fault == "500" else "Timed out")
        self.delivered.append((chat_id, reply.text))
        if self.clock is not None:
            self.times.append(self.clock.now())

    def counts(self) -> Counter[tuple[str, str]]:
        return Counter(self.delivered)

    @property
    def transient_faults(self) -> int:
        return sum(self.faults[f] for f in FAULTS)


def fake_sleep(clock: FixedClock) -> Callable[[float], Awaitable[None]]:
    """A sleep that moves the fixed clock instead of waiting."""

    async def sleep(seconds: float) -> None:
        # What was started just before runs first, at the time it was started; then time moves on.
        await asyncio.sleep(0)
        clock.advance(dt.timedelta(seconds=max(0.0, seconds)))
        await asyncio.sleep(0)

    return sleep
