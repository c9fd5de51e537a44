"""The inbox worker: takes one channel's kept updates oldest first, one person's strictly one after another,
different people side by side.

An update is committed to the inbox before its messenger is told it arrived (the webhook answers 200, the
poller moves on); the handler marks it handled in the transaction that handles it. So a process killed at any
moment loses nothing: what was kept but not handled is taken first by the next process, whose ids are lower
than anything that arrives after it starts.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.clock import Clock
from bot.storage.database import Database
from bot.storage.inbox import Arrival, InboxRepo, InboxRow

log = logging.getLogger(__name__)

# Handle one kept update; True if it was marked handled on the way (the engine does it in its transaction).
Handle = Callable[[InboxRow], Awaitable[bool]]

IN_FLIGHT = 256


class InboxWorker:
    def __init__(self, db: Database, channel: str, clock: Clock, handle: Handle, *, in_flight: int = IN_FLIGHT) -> None:
        self.db = db
        self.channel = channel
        self.clock = clock
        self.handle = handle
        self.in_flight = in_flight
        # Every row with an id up to this one has been taken (or was handled before).
        self._high = 0
        self._taking = asyncio.Lock()
        self._last: dict[str, asyncio.Task[None]] = {}
        self._running: set[asyncio.Task[None]] = set()
        self._wake = asyncio.Event()
        # Set whenever a handling finishes: cheaper to wait on than every running task.
        self._finished = asyncio.Event()

    async def keep(self, arrival: Arrival) -> bool:
        """Commit one update to the inbox; False if it was kept before. Only then may its messenger hear that
        it arrived."""
        return (await self.keep_all([arrival]))[0]

    async def keep_all(self, arrivals: Sequence[Arrival]) -> list[bool]:
        now = self.clock.now()
        async with self.db.transaction() as conn:
            repo = InboxRepo(conn)
            kept = [await repo.keep(self.channel, arrival, now) for arrival in arrivals]
        if any(kept):
            # Taken at once, so a poller waiting for room counts them as under way.
            await self.take()
        return kept

    def wake(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        """Take kept updates as they come, until cancelled; what was left by an earlier process comes first."""
        try:
            while True:
                self._wake.clear()
                await self.take()
                await self._wake.wait()
        finally:
            await self.close()

    async def take(self) -> int:
        """Start handling the oldest kept updates not yet taken, as many as there is room for."""
        async with self._taking:
            room = self.in_flight - len(self._running)
            if room <= 0:
                return 0
            async with self.db.reading() as conn:
                rows = await InboxRepo(conn).unhandled(self.channel, self._high, room)
            for row in rows:
                self._start(row)
            return len(rows)

    def _start(self, row: InboxRow) -> None:
        self._high = max(self._high, row.id)
        previous = self._last.get(row.person)
        task = asyncio.create_task(self._after(previous, row), name=f"inbox-{self.channel}-{row.id}")
        self._last[row.person] = task
        self._running.add(task)
        task.add_done_callback(functools.partial(self._forget, row.person))

    def _forget(self, person: str, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._last.get(person) is task:
            del self._last[person]
        self._finished.set()
        self._wake.set()

    async def _after(self, previous: asyncio.Task[None] | None, row: InboxRow) -> None:
        if previous is not None:
            await asyncio.wait([previous])
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
            async with self.db.transaction() as conn:
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
