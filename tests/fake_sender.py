"""A Sender that records deliveries and fails on demand, standing in for a messenger."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections import Counter
from collections.abc import Awaitable, Callable

from bot.clock import FixedClock
from bot.engine import delivery
from bot.engine.messages import Reply


class FakeSender:
    def __init__(
        self,
        channel: str = "telegram",
        *,
        fault_rate: float = 0.0,
        blocked: set[str] | None = None,
        seed: int = 7,
    ) -> None:
        self.channel = channel
        self.fault_rate = fault_rate
        self.blocked = blocked or set()
        self.rng = random.Random(seed)
        self.delivered: list[tuple[str, str]] = []
        self.faults: Counter[str] = Counter()

    async def send(self, chat_id: str, reply: Reply) -> None:
        if chat_id in self.blocked:
            self.faults["forbidden"] += 1
            raise delivery.PermanentFailure("Forbidden: bot was blocked by the user")
        if self.rng.random() < self.fault_rate:
            fault = self.rng.choice(["429", "500", "timeout"])
            self.faults[fault] += 1
            if fault == "429":
                raise delivery.RetryAfter(3, "Too Many Requests: retry after 3")
            raise delivery.TransientFailure("Bad Gateway" if fault == "500" else "Timed out")
        self.delivered.append((chat_id, reply.text))

    def counts(self) -> Counter[tuple[str, str]]:
        return Counter(self.delivered)


def fake_sleep(clock: FixedClock) -> Callable[[float], Awaitable[None]]:
    """A sleep that moves the fixed clock instead of waiting."""

    async def sleep(seconds: float) -> None:
        clock.advance(dt.timedelta(seconds=max(0.0, seconds)))
        await asyncio.sleep(0)

    return sleep
