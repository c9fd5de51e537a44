"""The outbox worker: claims due messages, sends them through the channel's Sender, records every attempt.

Guarantee: at most once. A message is claimed (committed) before it is sent and recorded after; if the
process dies in between, the claim is found at the next start and marked uncertain, not sent again,
because no messenger here can tell whether it went out. Everything else is delivered exactly once:
network errors, 5xx and 429 are retried with back-off; refusals that will not change (blocked, chat not
found) are recorded once and never retried.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from collections.abc import Awaitable, Callable, Mapping

from bot.clock import Clock
from bot.engine.delivery import DeliveryError, PermanentFailure, RetryAfter, Sender
from bot.outbox.limits import ChannelLimits, RateLimiter
from bot.storage.database import Database
from bot.storage.outbox import OutboxMessage, OutboxRepo

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
MAX_ATTEMPTS = 8
BASE_DELAY = 2.0
MAX_DELAY = 600.0
IDLE_POLL = 1.0
NO_SENDER_DELAY = 30.0


def backoff(attempt: int, rng: random.Random) -> float:
    """Exponential with full jitter in its upper half: 1-2 s, 2-4 s, 4-8 s ... capped."""
    ceiling = min(MAX_DELAY, BASE_DELAY * float(2 ** (attempt - 1)))
    return ceiling * (0.5 + rng.random() / 2)


def is_group_chat(channel: str, chat_id: str) -> bool:
    # Telegram's groups and channels have negative ids.
    return channel == "telegram" and chat_id.startswith("-")


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        senders: Mapping[str, Sender],
        clock: Clock,
        limits: Mapping[str, ChannelLimits] | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
        concurrency: int = 8,
        batch: int = 100,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.senders = senders
        self.clock = clock
        self.limits = dict(limits or {})
        self.sleep = sleep
        self.concurrency = concurrency
        self.batch = batch
        self.rng = rng or random.Random()
        self._limiters: dict[str, RateLimiter] = {}
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """Something was enqueued: look now instead of at the next poll."""
        self._wake.set()

    def limiter(self, channel: str) -> RateLimiter:
        if channel not in self._limiters:
            self._limiters[channel] = RateLimiter(self.limits.get(channel, ChannelLimits()))
        return self._limiters[channel]

    def _now(self) -> float:
        return self.clock.now().timestamp()

    async def recover(self) -> int:
        """At start-up: resolve the claims a stopped process left behind."""
        async with self.db.transaction() as conn:
            found = await OutboxRepo(conn).resolve_unconfirmed(self.clock.now())
        if found:
            log.warning("outbox: %d message(s) may or may not have been sent before a stop; marked uncertain", found)
        return found

    async def run(self) -> None:
        await self.recover()
        while True:
            sent = await self.run_once()
            if sent == 0:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=IDLE_POLL)

    async def drain(self) -> int:
        """Send everything due now and whatever falls due while retrying; return how many were handled."""
        total = 0
        while True:
            handled = await self.run_once()
            total += handled
            if handled:
                continue
            async with self.db.reading() as conn:
                next_at = await OutboxRepo(conn).next_due_at()
            if next_at is None:
                return total
            now = self._now()
            delay = max(0.0, next_at.timestamp() - now)
            pauses = [lim.paused_until - now for lim in self._limiters.values() if lim.paused_until > now]
            if delay == 0 and pauses:
                delay = min(pauses)  # what is due belongs to a paused channel
            await self.sleep(max(delay, 0.001))

    async def run_once(self) -> int:
        """One batch of due messages. Returns how many were attempted."""
        now = self.clock.now()
        paused = frozenset(c for c, lim in self._limiters.items() if lim.paused_until > now.timestamp())
        async with self.db.reading() as conn:
            due = await OutboxRepo(conn).due(now, self.batch, paused)
        if not due:
            return 0
        gate = asyncio.Semaphore(self.concurrency)
        chains: dict[str, asyncio.Task[None]] = {}
        handled = 0
        for message in due:
            sender = self.senders.get(message.channel)
            if sender is None:
                async with self.db.transaction() as conn:
                    await OutboxRepo(conn).postpone(message.id, self._at(NO_SENDER_DELAY))
                continue
            limiter = self.limiter(message.channel)
            ready = limiter.chat_ready_at(message.chat_id)
            if ready > self._now():
                # This chat must wait; the others need not wait behind it.
                async with self.db.transaction() as conn:
                    await OutboxRepo(conn).postpone(message.id, dt.datetime.fromtimestamp(ready, dt.UTC))
                continue
            at = limiter.take(message.chat_id, self._now(), is_group_chat(message.channel, message.chat_id))
            wait = at - self._now()
            if wait > 0:
                await self.sleep(wait)
            handled += 1
            # Messages to one chat go one after another, in order; different chats go side by side.
            previous = chains.get(message.chat_id)
            chains[message.chat_id] = asyncio.create_task(self._send_after(previous, gate, sender, message))
        await asyncio.gather(*chains.values())
        return handled

    def _at(self, seconds: float) -> dt.datetime:
        return self.clock.now() + dt.timedelta(seconds=seconds)

    async def _send_after(
        self, previous: asyncio.Task[None] | None, gate: asyncio.Semaphore, sender: Sender, message: OutboxMessage
    ) -> None:
        if previous is not None:
            await previous
        async with gate:
            await self._send(sender, message)

    async def _send(self, sender: Sender, message: OutboxMessage) -> None:
        async with self.db.transaction() as conn:
            if not await OutboxRepo(conn).claim(message.id, self.clock.now()):
                return  # another worker took it
        error: DeliveryError | None = None
        try:
            await sender.send(message.chat_id, message.reply)
        except DeliveryError as exc:
            error = exc
        except Exception as exc:  # a bug in a sender must not stop the worker
            log.exception("outbox: sender for %s raised", message.channel)
            error = DeliveryError(f"{type(exc).__name__}: {exc}")
        async with self.db.transaction() as conn:
            repo = OutboxRepo(conn)
            now = self.clock.now()
            if error is None:
                await repo.sent(message.id, now)
            elif isinstance(error, PermanentFailure):
                await repo.failed(message.id, now, str(error) or type(error).__name__)
            elif message.attempts + 1 >= MAX_ATTEMPTS:
                await repo.failed(message.id, now, f"gave up after {MAX_ATTEMPTS} attempts: {error}")
            else:
                if isinstance(error, RetryAfter):
                    delay = error.seconds + self.rng.random()
                    self.limiter(message.channel).pause(self._now() + error.seconds)
                else:
                    delay = backoff(message.attempts + 1, self.rng)
                await repo.retry(message.id, now, self._at(delay), str(error) or type(error).__name__)
