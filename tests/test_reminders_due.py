"""The running bot's minutely wake-up plans only when something may have fallen due (a step's time came,
the quiet hours ended) or the units changed; between those moments it finds, and sends, nothing new."""

from __future__ import annotations

import datetime as dt
import sqlite3
from zoneinfo import ZoneInfo

from bot.app import App
from bot.clock import FixedClock
from bot.domain.units import UnitFields
from bot.reminders.jobs import DuePlanner
from bot.reminders.planner import next_due
from bot.storage.units import UnitRepo
from tests.support.roles import representative

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(month: int, day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(dt.UTC)


def queued(app: App) -> list[str]:
    with sqlite3.connect(app.db.path) as conn:
        rows = conn.execute("SELECT dedup_key FROM outbox WHERE kind = 'reminder' ORDER BY id").fetchall()
    return [r[0].rsplit(":", 1)[0] for r in rows]


def test_the_next_moment_is_the_next_step_or_the_end_of_quiet_hours(app: App) -> None:
    campaign = app.services.campaign
    # The year-end report is due 10/12: reminders 7, 3, 1 and 0 days before, at 08:00.
    assert next_due(campaign, local(12, 3, 8, 0)) == local(12, 7)
    assert next_due(campaign, local(12, 3, 7, 59)) == local(12, 3)
    # Planned at 22:00, inside the quiet hours: it planned nothing, so their end at 07:00 is a moment too.
    assert next_due(campaign, local(12, 3, 22, 0)) == local(12, 4, 7, 0)
    assert next_due(campaign, local(12, 31, 12) + dt.timedelta(days=400)) is None


async def test_a_tick_sends_what_fell_due_and_what_new_units_owe_and_nothing_twice(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    tick = DuePlanner(app.db, app.services)
    clock.set(local(12, 3, 8, 0))
    assert await tick() == 1
    clock.advance(dt.timedelta(minutes=1))
    assert await tick() == 0
    # A unit added in the middle of the day owes the step already due: the next minute tells it.
    async with app.db.transaction() as conn:
        await UnitRepo(conn).record(UnitFields(code="X-MOI", name="Xã Mới", kind="commune"), "import", clock.now())
    await representative(app, "moi", "X-MOI")
    clock.advance(dt.timedelta(minutes=1))
    assert await tick() == 1
    clock.set(local(12, 7, 7, 59))
    assert await tick() == 0
    clock.set(local(12, 7, 8, 0))
    assert await tick() == 2
    assert queued(app) == [
        "rem:CN:H-LAPVO:d-7",
        "rem:CN:X-MOI:d-7",
        "rem:CN:H-LAPVO:d-3",
        "rem:CN:X-MOI:d-3",
    ]


async def test_a_step_missed_while_the_bot_was_down_goes_out_when_the_quiet_hours_end(
    app: App, clock: FixedClock
) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    # The bot starts at 21:30, after the 08:00 step fell due: nothing is sent in the quiet hours.
    tick = DuePlanner(app.db, app.services)
    clock.set(local(12, 3, 21, 30))
    assert await tick() == 0
    clock.set(local(12, 4, 6, 59))
    assert await tick() == 0
    clock.set(local(12, 4, 7, 0))
    assert await tick() == 1
    assert queued(app) == ["rem:CN:H-LAPVO:d-7"]
