"""A worker stopped at the very moment it is woken still stops.

On Python 3.11, `asyncio.wait_for` returns the awaited result and drops a cancellation that arrives in the
same turn of the loop as that result. The inbox and outbox workers waited for their wake-up event that way,
so a stop landing just as a reply finished left the worker running and whoever stopped it waiting forever
(the Telegram runtime test hung that way now and then)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from bot.app import App
from bot.inbox.worker import InboxWorker
from bot.outbox.limits import ChannelLimits
from bot.outbox.worker import OutboxWorker
from bot.storage.inbox import InboxRow
from tests.support.fake_sender import FakeSender

# Loop turns between the wake-up and the stop: the lost stop needs one particular count, which depends on
# how many steps the event's waiter takes, so every count up to a few is tried.
TURNS = range(6)


async def nothing(row: InboxRow) -> bool:
    return False


async def stops(task: asyncio.Task[None]) -> bool:
    task.cancel()
    done, _ = await asyncio.wait([task], timeout=2)
    return task in done


# Where a task of the worker is parked once it has nothing to do: on its wake-up event, or a sleep between looks.
PARKED = {asyncio.Event.wait.__code__, asyncio.sleep.__code__}


def parked(task: asyncio.Task[Any]) -> bool:
    """Whether the coroutines the task is inside (outermost to innermost) include a wait on an event or a sleep."""
    coro: Any = task.get_coro()
    while coro is not None:
        if getattr(coro, "cr_code", None) in PARKED:
            return True
        coro = getattr(coro, "cr_await", None)
    return False


async def settled() -> None:
    """Until the worker waits for its event (it has read the database and found nothing): every other task of
    the loop is parked. Half a second at most, which the test waited every time before it looked."""
    for _ in range(50):
        await asyncio.sleep(0.01)
        others = asyncio.all_tasks() - {asyncio.current_task()}
        if others and all(parked(task) for task in others):
            return


def inbox_worker(app: App) -> InboxWorker:
    return InboxWorker(app.db, "zalo", app.services.clock, nothing)


def outbox_worker(app: App) -> OutboxWorker:
    return OutboxWorker(
        app.db, {"zalo": FakeSender("zalo")}, app.services.clock, {"zalo": ChannelLimits(per_second=100)}
    )


@pytest.mark.parametrize("make", [inbox_worker, outbox_worker], ids=["inbox", "outbox"])
async def test_a_worker_stops_when_woken_at_the_same_moment(
    app: App, make: Callable[[App], InboxWorker | OutboxWorker]
) -> None:
    for turns in TURNS:
        worker = make(app)
        task = asyncio.create_task(worker.run())
        await settled()
        worker.wake()
        for _ in range(turns):
            await asyncio.sleep(0)
        assert await stops(task), f"the worker kept running when stopped {turns} turns after a wake-up"
