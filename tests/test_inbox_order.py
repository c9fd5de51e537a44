"""The inbox worker with no room left: updates kept meanwhile wait in the inbox and are all handled once
there is room, each person's in the order they came."""

from __future__ import annotations

import asyncio
import contextlib

from bot.app import App
from bot.inbox.worker import InboxWorker
from bot.storage.database import fetch_all
from bot.storage.inbox import Arrival, InboxRow


class Held:
    """Handles rows in the order it is given them; the first waits until released."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.release = asyncio.Event()

    async def __call__(self, row: InboxRow) -> bool:
        if not self.order:
            await self.release.wait()
        self.order.append(row.update_key)
        return False  # the worker marks the row handled


async def unhandled(app: App) -> list[str]:
    async with app.db.reading() as conn:
        rows = await fetch_all(conn, "SELECT update_key FROM inbox WHERE handled_at IS NULL ORDER BY id")
    return [row[0] for row in rows]


async def test_updates_kept_while_the_worker_is_full_are_handled_later_in_order(app: App) -> None:
    handle = Held()
    worker = InboxWorker(app.db, "zalo", app.services.clock, handle, in_flight=1)
    running = asyncio.create_task(worker.run())
    try:
        await worker.keep(Arrival(update_key="a1", person="a", payload="{}"))
        await asyncio.sleep(0)
        for key, person in (("a2", "a"), ("b1", "b"), ("a3", "a")):
            assert await worker.keep(Arrival(update_key=key, person=person, payload="{}"))
        assert await unhandled(app) == ["a1", "a2", "b1", "a3"]
        handle.release.set()
        async with asyncio.timeout(10):
            while await unhandled(app):  # noqa: ASYNC110 - the inbox is what the test watches
                await asyncio.sleep(0.01)
        assert handle.order == ["a1", "a2", "b1", "a3"]
        # Once caught up, an update kept is handled straight away.
        await worker.keep(Arrival(update_key="b2", person="b", payload="{}"))
        async with asyncio.timeout(10):
            while await unhandled(app):  # noqa: ASYNC110
                await asyncio.sleep(0.01)
        assert handle.order[-1] == "b2"
        assert not await worker.keep(Arrival(update_key="b2", person="b", payload="{}"))
        await asyncio.sleep(0.05)
        assert handle.order.count("b2") == 1
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
