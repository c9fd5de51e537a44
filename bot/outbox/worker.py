"""The outbox worker: claims due messages, sends them through the channel's Sender, records every attempt.

Guarantee: at most once, and exactly once wherever the outcome can be known. A message is claimed
(committed) before it is sent and its outcome recorded after. If the process dies in between, or a send
hangs past the worker's own time limit, nobody can say whether it reached the person: no messenger here
lets us ask whether a message went out, or send one idempotently. Such a message is marked uncertain,
listed by `outbox status`, and sent again only when an operator says so; so is one whose send failed after
the request may have reached the messenger (a read timeout, a connection lost after sending, an answer that
cannot be read). Everything else is delivered exactly once: refusals that will not change (blocked, chat not
found) are recorded once and never retried, and what was refused before it could arrive (no connection, a
connect timeout, an explicit 5xx, 429) is retried with back-off until the message is too old to matter.

Each messenger has its own lane with its own rate limit, so a messenger that is slow, down or asking us to
wait holds up nobody else; within a lane a failing chat holds up only itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

from bot.clock import Clock
from bot.conversation.delivery import DeliveryError, PermanentFailure, RetryAfter, Sender, Uncertain
from bot.outbox.limits import ChannelLimits, RateLimiter
from bot.outbox.liveness import ProcessMark, is_alive, sweep
from bot.storage.database import Database
from bot.storage.outbox import OutboxMessage, OutboxRepo, SendingBudget
from bot.storage.sessions import SessionRepo
from bot.storage.timefmt import from_db
from bot.storage.worker_locks import shared_locks

log = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]
# When a message may go out at the earliest, given the time (e.g. not in quiet hours); None means now.
Hold = Callable[[OutboxMessage, dt.datetime], dt.datetime | None]
# Whether a channel's chat is a group (paced by the group limit rather than a person's), as the channels say.
GroupChat = Callable[[str, str], bool]

BASE_DELAY = 2.0
MAX_DELAY = 600.0
IDLE_POLL = 1.0
SWEEP_EVERY = dt.timedelta(minutes=1)
LANE_CRASH_PAUSE = 5.0


def backoff(attempt: int, rng: random.Random, base: float = BASE_DELAY) -> float:
    """Exponential, jittered in its upper half so a burst of failures does not retry in step: 1-2 s,
    2-4 s, 4-8 s ... up to 5-10 minutes (for the default base)."""
    ceiling = min(MAX_DELAY, base * float(2 ** min(attempt - 1, 20)))
    return ceiling * (0.5 + rng.random() / 2)


def _one_person_each(channel: str, chat_id: str) -> bool:
    return False


class OutboxWorker:
    def __init__(
        self,
        db: Database,
        senders: Mapping[str, Sender],
        clock: Clock,
        limits: Mapping[str, ChannelLimits] | None = None,
        *,
        hold: Hold | None = None,
        group_chat: GroupChat | None = None,
        sleep: Sleep = asyncio.sleep,
        concurrency: int = 8,
        batch: int = 100,
        rng: random.Random | None = None,
        send_timeout: float = 120.0,
        give_up_after: dt.timedelta = dt.timedelta(days=2),
        retry_base: float = BASE_DELAY,
    ) -> None:
        self.db = db
        # The live registry the channels fill as they start: a channel that starts later gets its lane then.
        self.senders = senders
        self.clock = clock
        self.limits = dict(limits or {})
        self.hold = hold
        self.group_chat = group_chat or _one_person_each
        self.sleep = sleep
        self.concurrency = concurrency
        self.batch = batch
        self.rng = rng or random.Random()
        self.send_timeout = send_timeout
        # A claim older than this cannot belong to a live send (each is cut off at send_timeout).
        self.lease = dt.timedelta(seconds=send_timeout) + dt.timedelta(minutes=3)
        self.give_up_after = give_up_after
        # The first back-off's ceiling: a test on the system clock meets its faults without seconds of waiting.
        self.retry_base = retry_base
        self._limiters: dict[str, RateLimiter] = {}
        # Held for as long as this process lives; its token names the claims this process makes.
        self._own_mark: ProcessMark | None = None
        self._wakes: dict[str, asyncio.Event] = {}
        # Sends that went well and are not recorded yet, per channel: (message, when).
        self._sent: dict[str, list[tuple[int, dt.datetime]]] = {}

    def wake(self) -> None:
        """Something was enqueued: look now instead of at the next poll."""
        for event in self._wakes.values():
            event.set()

    def limiter(self, channel: str) -> RateLimiter:
        if channel not in self._limiters:
            self._limiters[channel] = RateLimiter(self.limits.get(channel, ChannelLimits()))
        return self._limiters[channel]

    def _now(self) -> float:
        return self.clock.now().timestamp()

    def _at(self, seconds: float) -> dt.datetime:
        return self.clock.now() + dt.timedelta(seconds=seconds)

    @property
    def _owners(self) -> Path:
        return self.db.path.parent / f"{self.db.path.name}.senders"

    def _mark(self) -> ProcessMark:
        if self._own_mark is None:
            self._own_mark = ProcessMark(self._owners)
        return self._own_mark

    async def _owner(self) -> str:
        """The name this process's claims carry: its lock on the server (PostgreSQL) or in a file (SQLite)."""
        locks = shared_locks(self.db)
        return await locks.own_token() if locks is not None else self._mark().token

    async def recover(self) -> int:
        """Resolve the claims that a stopped process left behind (see the module's guarantee): at once for a
        process that is gone, after the lease for one that seems to hang."""
        now = self.clock.now()
        async with self.db.reading() as conn:
            owners = await OutboxRepo(conn).claim_owners()
        locks = shared_locks(self.db)
        if locks is not None:
            # Workers on several machines: the server says which still hold their lock.
            alive = await locks.alive(owners)
            dead = [owner for owner in owners if owner not in alive]
        else:
            dead = [owner for owner in owners if not is_alive(self._owners, owner)]
            sweep(self._owners)
        async with self.db.transaction() as conn:
            found = await OutboxRepo(conn).resolve_stale_claims(now - self.lease, now, dead)
        if found:
            log.warning("outbox: %d message(s) may or may not have been sent before a stop; marked uncertain", found)
        return found

    async def run(self) -> None:
        """Serve until cancelled: one lane per registered channel, and a regular look for abandoned claims."""
        lanes: dict[str, asyncio.Task[None]] = {}
        swept: dt.datetime | None = None
        try:
            while True:
                if swept is None or self.clock.now() - swept >= SWEEP_EVERY:
                    await self.recover()
                    swept = self.clock.now()
                for channel in list(self.senders):
                    lane = lanes.get(channel)
                    if lane is None or lane.done():
                        lanes[channel] = asyncio.create_task(self._lane(channel), name=f"outbox-{channel}")
                await asyncio.sleep(IDLE_POLL)
        finally:
            for lane in lanes.values():
                lane.cancel()
            await asyncio.gather(*lanes.values(), return_exceptions=True)

    async def _lane(self, channel: str) -> None:
        wake = self._wakes.setdefault(channel, asyncio.Event())
        while channel in self.senders:
            wake.clear()
            try:
                handled = await self.run_channel_once(channel)
            except Exception:
                log.exception("outbox: the %s lane failed; starting again shortly", channel)
                await asyncio.sleep(LANE_CRASH_PAUSE)
                continue
            if not handled:
                # Not wait_for: on Python 3.11 it loses a stop that lands just as the event is set.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(IDLE_POLL):
                        await wake.wait()

    async def run_once(self) -> int:
        """One batch for every registered channel, side by side. Returns how many sends were attempted."""
        counts = await asyncio.gather(*(self.run_channel_once(channel) for channel in list(self.senders)))
        return sum(counts)

    async def drain(self, until: dt.datetime | None = None) -> int:
        """Send everything due now and whatever falls due while retrying or holding (up to `until`, if
        given), for the registered channels; return how many sends were attempted."""
        total = 0
        while True:
            handled = await self.run_once()
            total += handled
            if handled:
                continue
            async with self.db.reading() as conn:
                next_at = await OutboxRepo(conn).next_due_at(list(self.senders))
            if next_at is None or (until is not None and next_at > until):
                return total
            await self.sleep(max(next_at.timestamp() - self._now(), 0.001))

    async def run_channel_once(self, channel: str) -> int:
        """Up to a batch of this channel's due messages, within its limits. Returns how many were attempted."""
        sender = self.senders.get(channel)
        if sender is None:
            return 0
        started: list[asyncio.Task[None]] = []
        chains: dict[str, asyncio.Task[None]] = {}
        waiting: list[OutboxMessage] = []
        handled = 0
        try:
            while handled < self.batch:
                running = [task for task in started if not task.done()]
                if len(running) >= self.concurrency:
                    await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
                    continue
                found, taken = await self._take(channel, min(self.concurrency - len(running), self.batch - handled))
                if not found:
                    break
                waiting = [message for message, _ in taken]
                for message, at in taken:
                    if at > self._now():
                        await self.sleep(at - self._now())
                    waiting.pop(0)
                    later = self.hold(message, self.clock.now()) if self.hold is not None else None
                    if later is not None:
                        # Its slot fell in the quiet hours: back in the queue, as if never taken.
                        await self._release(message, later)
                        handled -= 1
                        continue
                    # Messages to one chat go one after another, in order; different chats go side by side.
                    previous = chains.get(message.chat_id)
                    chains[message.chat_id] = asyncio.create_task(self._send_after(previous, sender, message))
                    started.append(chains[message.chat_id])
                handled += len(taken)
            await asyncio.gather(*started)
            await self.record_sent(channel)
        except asyncio.CancelledError:
            # Stopping: the sends under way are stopped too, and record what became of them; what was claimed
            # but not started certainly did not go and goes back in the queue; what went is recorded.
            for task in started:
                task.cancel()
            if started:
                await asyncio.wait(started)
            try:
                for message in waiting:
                    await asyncio.shield(self._release(message))
                await asyncio.shield(self.record_sent(channel))
            except Exception:
                # The stop goes on whatever happens here (a cancelled statement may have left the connection
                # unusable): what was not recorded stays claimed and is resolved as uncertain at the next start.
                log.exception("outbox: the %s lane could not record its messages while stopping", channel)
            raise
        return handled

    async def _flush_sent(self, repo: OutboxRepo, channel: str) -> int:
        """Record the sends of this channel that went well since the last time; returns how many."""
        sent = list(self._sent.get(channel, ()))
        await repo.sent_many(sent)
        return len(sent)

    def _forget_sent(self, channel: str, recorded: int) -> None:
        del self._sent.get(channel, [])[:recorded]

    async def record_sent(self, channel: str) -> None:
        if not self._sent.get(channel):
            return
        async with self.db.transaction(exclusive=False) as conn:
            recorded = await self._flush_sent(OutboxRepo(conn), channel)
        self._forget_sent(channel, recorded)

    async def _take(self, channel: str, room: int) -> tuple[int, list[tuple[OutboxMessage, float]]]:
        """Claim up to `room` due messages in one transaction, with a sending slot each from the channel's
        budget shared by every worker. Returns how many due messages were looked at, and the claimed ones
        with their slots; those whose chat must wait, or which must be held, are postponed instead.

        Only as many as this worker has free sending places are claimed (at most `concurrency` under way),
        so a stop leaves uncertain no more than it did when each message was claimed on its own, while the
        claim costs one transaction a batch instead of one a message."""
        limiter = self.limiter(channel)
        owner = await self._owner()
        per_second = self.limits.get(channel, ChannelLimits()).per_second
        now = self.clock.now()
        async with self.db.transaction(exclusive=False) as conn:
            repo = OutboxRepo(conn)
            recorded = await self._flush_sent(repo, channel)
            found = await repo.candidates(channel, now, room)
            chosen: list[OutboxMessage] = []
            for message, chat_sent_at in found:
                group = self.group_chat(channel, message.chat_id)
                ready = limiter.chat_ready_at(message.chat_id)
                if chat_sent_at:
                    # Sent by any worker: the chat's pause counts from there.
                    ready = max(ready, from_db(chat_sent_at).timestamp() + limiter.chat_gap(group))
                if ready > now.timestamp():
                    # The chat's previous message is too recent: it waits, the other chats need not wait behind it.
                    # At least a microsecond on, where the time is kept to the microsecond, or it is due again now.
                    wait = max(dt.datetime.fromtimestamp(ready, dt.UTC), now + dt.timedelta(microseconds=1))
                    await repo.postpone(message.id, wait)
                    continue
                later = self.hold(message, now) if self.hold is not None else None
                if later is not None:
                    await repo.postpone(message.id, later)
                    continue
                chosen.append(message)
            if chosen:
                await repo.claim_many([m.id for m in chosen], now, owner)
                first = await SendingBudget(conn).reserve(channel, len(chosen), per_second, now.timestamp())
        self._forget_sent(channel, recorded)
        if not chosen:
            return len(found), []
        taken: list[tuple[OutboxMessage, float]] = []
        for n, message in enumerate(chosen):
            at = first + n / per_second
            limiter.chat_sent(message.chat_id, at, self.group_chat(channel, message.chat_id))
            taken.append((message, at))
        return len(found), taken

    async def _send_after(self, previous: asyncio.Task[None] | None, sender: Sender, message: OutboxMessage) -> None:
        if previous is not None:
            try:
                await asyncio.wait([previous])  # its failure is its own; this one still goes
            except asyncio.CancelledError:
                await asyncio.shield(self._release(message))  # stopped before it was sent: certainly not
                raise
        await self._send(sender, message)

    async def _wait_out_pause(self, channel: str) -> None:
        limiter = self.limiter(channel)
        while (left := limiter.paused_until - self._now()) > 0:
            await self.sleep(left)

    async def _send(self, sender: Sender, message: OutboxMessage) -> None:
        """Send a claimed message and record the outcome."""
        # A 429 may have come in since this message's slot was given: no send of the channel starts before
        # the messenger's wait is over.
        await self._wait_out_pause(message.channel)
        error: DeliveryError | None = None
        shown_at = self.clock.now()
        try:
            # In this task, not a new one: the send starts before anything else can run.
            async with asyncio.timeout(self.send_timeout):
                await sender.send(message.chat_id, message.reply)
        except RetryAfter as exc:
            # Paused at once, before any other send of this channel can start; the other workers learn of it
            # from the shared budget when the outcome is recorded.
            self.limiter(message.channel).pause(self._now() + exc.seconds)
            error = exc
        except TimeoutError:
            await self._uncertain(message, "no answer within the time limit")
            log.warning("outbox: message %d to %s got no answer; marked uncertain", message.id, message.channel)
            return
        except Uncertain as exc:
            # It may be on the person's screen already: listed for an operator, never sent again blindly.
            await asyncio.shield(self._uncertain(message, str(exc) or "may have been sent"))
            log.warning(
                "outbox: message %d to %s may have arrived (%s); marked uncertain", message.id, message.channel, exc
            )
            return
        except asyncio.CancelledError:
            # Stopped in the middle of a send (shutting down): whether it arrived is unknown.
            await asyncio.shield(self._uncertain(message, "stopped while sending"))
            raise
        except DeliveryError as exc:
            error = exc
        except Exception as exc:  # a bug in a sender must not stop the worker
            log.exception("outbox: sender for %s raised", message.channel)
            error = DeliveryError(f"{type(exc).__name__}: {exc}")
        if error is None and not (message.user_id is not None and message.reply.choices):
            # Recorded with the next claim of the channel, or when the batch ends: one transaction for many.
            # Until then it counts as under way, so a process killed in between leaves it uncertain, never
            # sent twice.
            self._sent.setdefault(message.channel, []).append((message.id, self.clock.now()))
            return
        # A stop now must not lose an outcome that is known.
        await asyncio.shield(self._record(message, error, shown_at))

    async def _release(self, message: OutboxMessage, until: dt.datetime | None = None) -> None:
        async with self.db.transaction(exclusive=False) as conn:
            await OutboxRepo(conn).release(message.id)
            if until is not None:
                await OutboxRepo(conn).postpone(message.id, until)

    async def _uncertain(self, message: OutboxMessage, reason: str) -> None:
        async with self.db.transaction(exclusive=False) as conn:
            await OutboxRepo(conn).uncertain(message.id, self.clock.now(), reason)

    async def _record(self, message: OutboxMessage, error: DeliveryError | None, shown_at: dt.datetime) -> None:
        now = self.clock.now()
        reason = (str(error) or type(error).__name__) if error is not None else ""
        # Only the choices a message offers change anything beyond its own row (the person's session).
        offers = error is None and message.user_id is not None and bool(message.reply.choices)
        async with self.db.transaction(exclusive=offers) as conn:
            repo = OutboxRepo(conn)
            if error is None:
                await repo.sent(message.id, now)
                if message.user_id is not None and message.reply.choices:
                    choices = list(message.reply.choices)
                    await SessionRepo(conn).offer_choices(message.user_id, choices, shown_at, now)
            elif isinstance(error, PermanentFailure):
                await repo.failed(message.id, now, reason)
            elif now - message.created_at >= self.give_up_after:
                # An outage longer than this makes the message stale (a reminder for a past deadline).
                await repo.failed(message.id, now, f"gave up after {message.attempts + 1} attempts: {reason}")
            elif isinstance(error, RetryAfter):
                await SendingBudget(conn).pause(message.channel, self._now() + error.seconds)
                await repo.retry(message.id, now, self._at(error.seconds + self.rng.random()), reason)
            else:
                wait = backoff(message.attempts + 1, self.rng, self.retry_base)
                await repo.retry(message.id, now, self._at(wait), reason)
