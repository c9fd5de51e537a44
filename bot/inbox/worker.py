"""The inbox worker: takes one channel's kept updates oldest first, one person's strictly one after another,
different people side by side.

An update is committed to the inbox before its messenger is told it arrived (the webhook answers 200, the
poller moves on); the handler marks it handled in the transaction that handles it. So a process killed at any
moment loses nothing: what was kept but not handled is taken first by the next process, whose ids are lower
than anything that arrives after it starts.

Several workers on PostgreSQL: a worker takes a person's updates only while it holds that person's lock on
the server (the per-contact queue of RapidPro's mailroom), so one worker handles them, in order, and the
others pass over them instead of trying each one and being refused. It lets go when it has handled all it
took of that person, and looks once more for theirs: what another worker kept meanwhile was left to it. A
worker that keeps an update takes that person's queue, not a look at every unhandled update. The lock goes
with a dead worker's connection, and the look at every unhandled update every few seconds (the sweep) takes
up what it left.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import functools
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence

from bot.clock import Clock
from bot.conversation.messages import Reply
from bot.storage.database import Database
from bot.storage.inbox import Arrival, InboxRepo, InboxRow, NewClaim
from bot.storage.replies import KeptReply, RepliesRepo
from bot.storage.worker_locks import shared_locks

log = logging.getLogger(__name__)

# Handle one kept update; True if it was marked handled on the way (the engine does it in its transaction).
Handle = Callable[[InboxRow], Awaitable[bool]]

# Handle an update not yet kept, keeping it in the transaction that handles it (see `NewClaim`); None when the
# channel does not handle this one so (a file to download first, a kind it reads only from a kept row).
HandleNew = Callable[[NewClaim], Awaitable[bool | None]]

# Send replies to a chat, in order; returns how many reached the messenger (the rest raised or were not tried).
Send = Callable[[str, list[Reply]], Awaitable[int]]

IN_FLIGHT = 256
# How far past its own room a worker on a shared database reads, over other workers' people.
LOOK_PAST = 256
# Far more than are ever taken and not yet marked handled at once.
SEEN_KEPT = 16 * IN_FLIGHT
SWEEP_EVERY = 5.0
# A reply found unsent after longer than this answers a question the person has stopped waiting on.
REPLY_WINDOW = dt.timedelta(minutes=10)


class NotKept(Exception):
    """The update was neither kept nor handled (the worker stopped meanwhile): its messenger must send it again."""


async def confirm_sent(db: Database, clock: Clock, inbox_id: int, count: int | None = None) -> None:
    """The first `count` replies of a kept update (all for None) reached the messenger."""
    if count == 0:
        return
    # Only this update's replies are touched, and only the worker handling it confirms them: nothing to order.
    async with db.one_statement(quick=True, exclusive=False) as conn:
        await RepliesRepo(conn).sent_of_update(inbox_id, count, clock.now())


def _settle(settling: asyncio.Future[bool], ordered: asyncio.Future[None], kept: bool) -> None:
    if not settling.done():  # cancelled when its caller was stopped
        settling.set_result(kept)
    if not ordered.done():
        ordered.set_result(None)


class InboxWorker:
    def __init__(
        self,
        db: Database,
        channel: str,
        clock: Clock,
        handle: Handle,
        send: Send | None = None,
        *,
        in_flight: int = IN_FLIGHT,
        reply_window: dt.timedelta = REPLY_WINDOW,
        handle_new: HandleNew | None = None,
    ) -> None:
        self.db = db
        self.handle_new = handle_new
        self.channel = channel
        self.clock = clock
        self.handle = handle
        self.send = send
        self.in_flight = in_flight
        self.reply_window = reply_window
        # Every row with an id up to this one has been taken (or was handled before).
        self._high = 0
        # The last look found every unhandled row there was (it was not cut short by the room left), so an
        # update kept since by this worker is the oldest not yet taken.
        self._caught_up = False
        self._taking = asyncio.Lock()
        self._last: dict[str, asyncio.Task[None]] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        # Set whenever a handling finishes: cheaper to wait on than every running task.
        self._finished = asyncio.Event()
        # Workers on several machines (PostgreSQL): the people whose queues this one holds, and the updates
        # it has taken and not finished.
        self._locks = shared_locks(db)
        self._held: set[str] = set()
        # The updates this worker has taken, the latest SEEN_KEPT of them (insertion-ordered).
        self._seen: dict[int, None] = {}
        self._letting_go: set[asyncio.Task[None]] = set()
        # People whose latest update is being kept by the transaction handling it: settled once it is committed.
        self._keeping: dict[str, asyncio.Future[None]] = {}

    async def keep(self, arrival: Arrival) -> bool:
        """Commit one update to the inbox; False if it was kept before. Only then may its messenger hear that
        it arrived."""
        return (await self.keep_all([arrival]))[0]

    async def keep_all(self, arrivals: Sequence[Arrival]) -> list[bool]:
        now = self.clock.now()
        if len(arrivals) == 1 and self._locks is None:
            return [await self._keep_one(arrivals[0], now)]
        async with self.db.transaction(quick=True) as conn:
            repo = InboxRepo(conn)
            kept = [await repo.keep(self.channel, arrival, now) for arrival in arrivals]
        for arrival, new in zip(arrivals, kept, strict=True):
            if not new:
                await self._redelivered(arrival)
        if self._locks is not None:
            # Taken at once, so a poller waiting for room counts them as under way.
            await self._take_people(dict.fromkeys(a.person for a, new in zip(arrivals, kept, strict=True) if new))
        elif any(kept):
            await self.take()
        return kept

    async def _keep_one(self, arrival: Arrival, now: dt.datetime) -> bool:
        """One update (a webhook's), kept in one statement. When every older update has been taken, it is
        started from the row just written instead of read back: one trip to the database fewer. When, besides,
        nothing of the person's is under way, it is kept by the very transaction that handles it."""
        earlier = self._keeping.get(arrival.person)
        if earlier is not None:
            # Kept after the person's update being kept now, so that it comes after it, here and after a restart.
            await asyncio.wait([earlier])
        async with self._taking:
            if self._handles_as_kept(arrival):
                loop = asyncio.get_running_loop()
                # What this call waits on, and apart from it what the person's next update waits on: this call
                # awaits its own future directly (a shield would cost a turn of the loop more), and a stop that
                # cancels it leaves the handling and the order of the person's updates as they were.
                told: asyncio.Future[bool] = loop.create_future()
                ordered: asyncio.Future[None] = loop.create_future()
                self._keeping[arrival.person] = ordered
                self._chain(
                    arrival.person,
                    functools.partial(self._handle_new, arrival, told, ordered),
                    f"inbox-{self.channel}-{arrival.update_key}",
                )
                settling: asyncio.Future[bool] | None = told
            else:
                settling = None
        if settling is not None:
            if await settling:
                return True
            await self._redelivered(arrival)
            return False
        async with self._taking:
            async with self.db.one_statement(quick=True) as conn:
                row = await InboxRepo(conn).keep_row(self.channel, arrival, now)
            if row is not None and self._caught_up and len(self._running) < self.in_flight:
                self._start(row)
                return True
        if row is None:
            await self._redelivered(arrival)
            return False
        await self.take()
        return True

    def _handles_as_kept(self, arrival: Arrival) -> bool:
        return (
            self.handle_new is not None
            and self._locks is None
            and self._caught_up
            and len(self._running) < self.in_flight
            and arrival.person not in self._last
        )

    async def _handle_new(
        self, arrival: Arrival, settling: asyncio.Future[bool], ordered: asyncio.Future[None]
    ) -> None:
        """Handle an update in the transaction that keeps it. If the channel does not handle it so, or it is not
        kept by the time the handling ends, it is kept now and handled (or marked) as any kept update is. The
        person's next update waits until this one is kept, whichever way (`ordered`); whoever keeps it hears
        whether it was kept (`settling`, which that caller may have stopped waiting on)."""
        assert self.handle_new is not None
        settled: list[bool] = []

        def on_settled(kept: bool) -> None:
            if not settled:
                settled.append(kept)
                _settle(settling, ordered, kept)

        try:
            try:
                outcome = await self.handle_new(NewClaim(self.channel, arrival, on_settled))
            except Exception:
                log.exception("inbox: handling %s update %s failed", self.channel, arrival.update_key)
                outcome = False
            if settled:
                return
            try:
                async with self._taking:
                    async with self.db.one_statement(quick=True) as conn:
                        row = await InboxRepo(conn).keep_row(self.channel, arrival, self.clock.now())
                    if row is not None:
                        self._taken(row)
            except Exception:
                log.exception("inbox: could not keep %s update %s", self.channel, arrival.update_key)
                return
            on_settled(row is not None)
        finally:
            if not settled:
                # Stopped, or the database failed: the webhook is not answered 200, so the messenger sends it again.
                if not settling.done():
                    settling.set_exception(NotKept(f"{self.channel} update {arrival.update_key} was not kept"))
                if not ordered.done():
                    ordered.set_result(None)
            if self._keeping.get(arrival.person) is ordered:
                del self._keeping[arrival.person]
        if row is None:
            return
        if outcome is None:
            await self._handle_row(row)
        else:
            # Its handling failed, and so did marking it: it is not tried again.
            await self._mark(row)

    async def _redelivered(self, arrival: Arrival) -> None:
        """The messenger delivered an update again: perhaps it never heard our answer. Whatever of that answer
        was not confirmed sent goes again (once at most), after anything under way for that person."""
        if self.send is None:
            return
        async with self.db.reading(quick=True) as conn:
            row = await InboxRepo(conn).find(self.channel, arrival.update_key)
        if row is not None:
            self._chain(row.person, functools.partial(self._resend_update, row.id), f"resend-{self.channel}-{row.id}")

    async def _resend_update(self, inbox_id: int) -> None:
        async with self.db.reading(quick=True) as conn:
            if not await InboxRepo(conn).is_handled(inbox_id):
                return  # still to be handled: its replies come then
            unsent = await RepliesRepo(conn).unsent(self.channel, inbox_id)
        await self._resend([u.kept for u in unsent])

    async def recover(self) -> None:
        """Replies an earlier process kept but never confirmed sent: recent ones go again (a repeated question
        is harmless, a lost reference code is not), older ones are dropped with a log line."""
        if self.send is None:
            return
        now = self.clock.now()
        async with self.db.transaction() as conn:
            repo = RepliesRepo(conn)
            unsent = await repo.unsent(self.channel)
            old = [u.kept.id for u in unsent if now - u.created_at > self.reply_window]
            await repo.drop(old, now)
        if old:
            log.warning(
                "inbox: %d %s replies older than %s were never sent; dropped", len(old), self.channel, self.reply_window
            )
        by_person: dict[str, list[KeptReply]] = {}
        for u in unsent:
            if now - u.created_at <= self.reply_window and not u.resent:
                by_person.setdefault(u.person, []).append(u.kept)
        if by_person:
            log.warning(
                "inbox: sending %d %s replies again after a stop", sum(map(len, by_person.values())), self.channel
            )
        for person, replies in by_person.items():
            self._chain(person, functools.partial(self._resend, replies), f"resend-{self.channel}-{person}")

    async def _resend(self, replies: list[KeptReply]) -> None:
        """Send kept replies a second time: each is claimed (committed) first, so none goes a third time."""
        assert self.send is not None
        now = self.clock.now()
        async with self.db.transaction(quick=True) as conn:
            repo = RepliesRepo(conn)
            claimed = [kept for kept in replies if await repo.claim_resend(kept.id, now)]
        by_chat: dict[str, list[KeptReply]] = {}
        for kept in claimed:
            by_chat.setdefault(kept.chat_id, []).append(kept)
        for chat_id, kept_replies in by_chat.items():
            try:
                count = await self.send(chat_id, [kept.reply for kept in kept_replies])
            except Exception:
                log.exception("inbox: sending %s replies again failed", self.channel)
                continue
            async with self.db.transaction(quick=True) as conn:
                await RepliesRepo(conn).sent([kept.id for kept in kept_replies[:count]], self.clock.now())

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Take kept updates as they come, until cancelled; what was left by an earlier process comes first."""
        try:
            await self.recover()
            while True:
                self._wake.clear()
                await self.take()
                # Also look now and then: with several workers on one database, updates another worker kept
                # and could not handle (it was stopped) are taken here.
                # asyncio.timeout, not wait_for: on Python 3.11 wait_for loses a stop that lands just as the
                # event is set, and this loop then never ended.
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(SWEEP_EVERY):
                        await self._wake.wait()
        finally:
            await self.close()

    async def take(self) -> int:
        """Start handling the oldest kept updates not yet taken, as many as there is room for."""
        async with self._taking:
            room = self.in_flight - len(self._running)
            if room <= 0:
                self._caught_up = False
                return 0
            if self._locks is None:
                async with self.db.one_statement(quick=True) as conn:
                    rows = await InboxRepo(conn).unhandled(self.channel, self._high, room)
                self._caught_up = len(rows) < room
                for row in rows:
                    self._start(row)
                return len(rows)
            # Other workers take updates too: every unhandled one is looked at, oldest first, and those of a
            # person another worker holds are left to it.
            limit = room + len(self._running) + LOOK_PAST
            async with self.db.one_read() as conn:
                rows = await InboxRepo(conn).unhandled(self.channel, 0, limit)
            by_person: dict[str, list[InboxRow]] = {}
            for row in rows:
                by_person.setdefault(row.person, []).append(row)
            started = 0
            self._caught_up = False
            for person, theirs in by_person.items():
                if started >= room:
                    break
                started += await self._take_person(person, theirs if person in self._held else None)
            else:
                # Every update there was is under way here or held by another worker, who looks again for that
                # person's when it lets go: an update kept from now on may be taken on its own.
                self._caught_up = len(rows) < limit
            return started

    async def _take_people(self, people: Iterable[str]) -> None:
        """Take these people's kept updates (workers sharing a database): a look at each one's own rather than
        at every unhandled update, when no older update waits for room."""
        if not self._caught_up:
            await self.take()
            return
        async with self._taking:
            for person in people:
                if len(self._running) >= self.in_flight:
                    # No room: what waits is taken by the look that the end of a handling wakes.
                    self._caught_up = False
                    return
                await self._take_person(person)

    async def _take_person(self, person: str, theirs: list[InboxRow] | None = None) -> int:
        """Under `_taking`: take the person's queue unless another worker holds it, and start their updates not
        yet taken here (`theirs` when already read while holding it). Returns how many were started."""
        assert self._locks is not None
        if person not in self._held:
            if not await self._locks.hold_person(self.channel, person):
                return 0  # its holder looks again when it lets go
            self._held.add(person)
            theirs = None
        if theirs is None:
            # Read under the lock: what another worker handled before letting go is not taken.
            async with self.db.one_read() as conn:
                theirs = await InboxRepo(conn).unhandled_of(self.channel, person)
        started = 0
        for row in theirs:
            # Taken here before (the read may predate its handling): never a second time.
            if row.id not in self._seen:
                self._start(row)
                started += 1
        if person not in self._last:
            # Nothing of theirs left to handle here: the queue goes back at once.
            self._let_go(person)
        return started

    def _start(self, row: InboxRow) -> None:
        self._taken(row)
        self._chain(row.person, functools.partial(self._handle_row, row), f"inbox-{self.channel}-{row.id}")

    def _taken(self, row: InboxRow) -> None:
        self._high = max(self._high, row.id)
        self._seen[row.id] = None
        if len(self._seen) > SEEN_KEPT:
            del self._seen[next(iter(self._seen))]

    def _chain(self, person: str, work: Callable[[], Awaitable[None]], name: str) -> None:
        """Run `work` after everything already under way for this person."""
        previous = self._last.get(person)
        task = asyncio.create_task(self._after(previous, work), name=name)
        self._last[person] = task
        self._running.add(task)
        task.add_done_callback(functools.partial(self._forget, person))

    def _forget(self, person: str, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._last.get(person) is task:
            del self._last[person]
            if person in self._held:
                # All this worker took of the person is handled: any worker may take what came since.
                self._let_go(person)
        self._finished.set()
        if not self._caught_up:
            # Updates may wait that there was no room for; those kept since are started as they are kept.
            self._wake.set()

    def _let_go(self, person: str) -> None:
        self._held.discard(person)
        letting_go = asyncio.create_task(self._let_go_and_look(person))
        self._letting_go.add(letting_go)
        letting_go.add_done_callback(self._letting_go.discard)

    async def _let_go_and_look(self, person: str) -> None:
        """Let go of the person's queue, then look for their updates once more: one kept by another worker
        while this one held the queue was left to this one, and would otherwise wait for the next sweep. The
        look comes after the lock is gone, so whatever that worker kept before failing to take it is seen."""
        assert self._locks is not None
        try:
            await self._locks.let_go_person(self.channel, person)
            async with self.db.one_read() as conn:
                waiting = await InboxRepo(conn).unhandled_of(self.channel, person)
            if any(row.id not in self._seen for row in waiting):
                await self._take_people([person])
        except Exception:
            # The sweep takes up what this look could not.
            log.exception("inbox: letting go of a %s person's updates failed", self.channel)

    async def _after(self, previous: asyncio.Task[None] | None, work: Callable[[], Awaitable[None]]) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        await work()

    async def _handle_row(self, row: InboxRow) -> None:
        marked = False
        try:
            marked = await self.handle(row)
        except Exception:
            log.exception("inbox: handling %s update %s failed", self.channel, row.update_key)
        if not marked:
            # Nothing to answer, or the handling failed: either way it is not tried again.
            await self._mark(row)

    async def _mark(self, row: InboxRow) -> None:
        try:
            async with self.db.transaction(quick=True) as conn:
                await InboxRepo(conn).handled(row.id, self.clock.now())
        except Exception:
            log.exception("inbox: could not mark %s update %s handled", self.channel, row.update_key)

    @property
    def in_progress(self) -> int:
        return len(self._running)

    async def room(self, limit: int) -> None:
        """Wait until fewer than `limit` updates are being handled: a poller takes no more than the bot keeps up
        with, and what it has not taken waits at the messenger rather than in our memory."""
        while len(self._running) >= limit:
            self._finished.clear()
            await self._finished.wait()

    async def join(self) -> None:
        """Wait until every update kept so far is handled."""
        while True:
            started = await self.take()
            if self._running:
                await asyncio.wait(set(self._running))
            elif not started:
                return

    async def close(self, grace: float = 5.0) -> None:
        """Let the handlings under way finish for a moment, then stop the rest (they stay kept, unhandled)."""
        if not self._running:
            return
        _, pending = await asyncio.wait(set(self._running), timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
