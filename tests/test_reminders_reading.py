"""What the planner reads between two plans of the running bot: a report that arrived, a unit renamed, retired
or merged, a step decided by another process. Each changes what the next plan sends, on both engines."""

from __future__ import annotations

import datetime as dt
import json
from zoneinfo import ZoneInfo

from bot.app import App
from bot.clock import FixedClock
from bot.domain.units import UnitFields, UnitStatus
from bot.reminders.jobs import DuePlanner
from bot.storage.database import fetch_all
from bot.storage.reminder_log import ReminderLog
from bot.storage.reports import ReportRepo
from bot.storage.timefmt import to_db
from bot.storage.units import UnitRepo
from tests.support.conversations import report_poverty
from tests.support.roles import representative

# The planner reads joined texts whose SQL differs between the engines.
BOTH_ENGINES = True

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(month: int, day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(dt.UTC)


async def queued(app: App) -> list[tuple[str, str]]:
    """(step key, text) of each reminder queued, in order."""
    async with app.db.reading() as conn:
        rows = await fetch_all(conn, "SELECT dedup_key, payload FROM outbox WHERE kind = 'reminder' ORDER BY id")
    return [(key.rsplit(":", 1)[0], json.loads(payload)["text"]) for key, payload in rows]


async def decided(app: App) -> dict[str, str]:
    async with app.db.reading() as conn:
        return {key: decision for key, decision in await fetch_all(conn, "SELECT key, decision FROM reminder_log")}


async def another_process_records(app: App, fields: UnitFields, now: dt.datetime) -> None:
    """A unit version written as another process (an import on another worker) writes it: nothing this
    process keeps is told."""
    async with app.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO unit_versions (code, name, name_key, code_key, kind, group_code, status, merged_into,"
            " source, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'import', ?)",
            (
                fields.code,
                fields.name,
                fields.name.lower(),
                fields.code.lower(),
                fields.kind,
                fields.group,
                fields.status.value,
                fields.merged_into,
                to_db(now),
            ),
        )


async def test_a_report_that_arrived_between_plans_stops_the_next_reminder(app: App, clock: FixedClock) -> None:
    lapvo = await representative(app, "lapvo", "H-LAPVO")
    await representative(app, "sadec", "TP-SADEC")
    tick = DuePlanner(app.db, app.services)
    clock.set(local(12, 3))
    assert await tick() == 2
    clock.set(local(12, 5, 9))
    await report_poverty(lapvo)
    await lapvo.tap("Gửi")
    clock.set(local(12, 7))
    assert await tick() == 1
    assert [key for key, _ in await queued(app)] == ["rem:CN:H-LAPVO:d-7", "rem:CN:TP-SADEC:d-7", "rem:CN:TP-SADEC:d-3"]
    assert "rem:CN:H-LAPVO:d-3" not in await decided(app)


async def test_units_renamed_retired_or_added_by_another_process_between_plans(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    await representative(app, "sadec", "TP-SADEC")
    tick = DuePlanner(app.db, app.services)
    clock.set(local(12, 3))
    assert await tick() == 2
    # The same minute, another worker renames one unit, retires the other and adds a third: the next tick
    # plans again, on what the database holds now, not on the units this process read before.
    await another_process_records(
        app, UnitFields(code="TP-SADEC", name="Thành phố Sa Đéc Mới", kind="city", group="CUM1"), local(12, 3)
    )
    await another_process_records(
        app,
        UnitFields(code="H-LAPVO", name="Huyện Lấp Vò", kind="district", group="CUM1", status=UnitStatus.RETIRED),
        local(12, 3),
    )
    await another_process_records(app, UnitFields(code="X-MOI", name="Xã Mới", kind="commune"), local(12, 3))
    await representative(app, "moi", "X-MOI")
    clock.advance(dt.timedelta(minutes=1))
    assert await tick() == 1
    clock.set(local(12, 7))
    assert await tick() == 2
    reminders = await queued(app)
    assert [key for key, _ in reminders] == [
        "rem:CN:H-LAPVO:d-7",
        "rem:CN:TP-SADEC:d-7",
        "rem:CN:X-MOI:d-7",
        "rem:CN:TP-SADEC:d-3",
        "rem:CN:X-MOI:d-3",
    ]
    assert "Thành phố Sa Đéc Mới" in reminders[3][1] and "Thành phố Sa Đéc Mới" not in reminders[1][1]


async def test_a_step_decided_by_another_process_is_not_sent_again(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    await representative(app, "sadec", "TP-SADEC")
    clock.set(local(12, 3))
    async with app.db.transaction() as conn:
        # Another worker decided Lấp Vò's step; a key of another period that merely starts alike is not it.
        await ReminderLog(conn).record(["rem:CN:H-LAPVO:d-7", "rem:CNX:TP-SADEC:d-7"], "sent", clock.now())
    tick = DuePlanner(app.db, app.services)
    assert await tick() == 1
    assert [key for key, _ in await queued(app)] == ["rem:CN:TP-SADEC:d-7"]


async def test_the_planners_reads_on_both_engines(app: App, clock: FixedClock) -> None:
    lapvo = await representative(app, "lapvo", "H-LAPVO")
    await report_poverty(lapvo)
    await lapvo.tap("Gửi")
    await report_poverty(lapvo, amendment=True)
    await lapvo.tap("Gửi")
    now = clock.now()
    async with app.db.transaction() as conn:
        await ReminderLog(conn).record(
            ["rem:CN:TP-SADEC:d-7", "esc:CN:e+3:9", "rem:DOT-CDS:TP-SADEC:d-7", "rem:CNX:H-LAPVO:d-7"], "sent", now
        )
        log, reports = ReminderLog(conn), ReportRepo(conn)
        assert await log.decided(["CN"]) == {"rem:CN:TP-SADEC:d-7", "esc:CN:e+3:9"}
        assert await log.decided(["6T"]) == set() and await log.decided([]) == set()
        # Two versions of one report: the unit once.
        assert await reports.reported_units(["CN", "6T"]) == {"CN": {"H-LAPVO"}, "6T": set()}
        # Lấp Vò merged into Lai Vung: what Lấp Vò sent counts for Lai Vung, which is not reminded of it.
        await UnitRepo(conn).record(
            UnitFields(
                code="H-LAPVO",
                name="Huyện Lấp Vò",
                kind="district",
                group="CUM1",
                status=UnitStatus.MERGED,
                merged_into="H-LAIVUNG",
            ),
            "import",
            now,
        )
        assert await reports.reported_units(["CN"]) == {"CN": {"H-LAIVUNG"}}
    await representative(app, "laivung", "H-LAIVUNG")
    clock.set(local(12, 3))
    assert await DuePlanner(app.db, app.services)() == 0
    assert await queued(app) == []


async def test_on_a_postgresql_database_that_sorts_text_by_language_a_step_decided_stays_decided(
    app_sorting_by_language: App, clock: FixedClock
) -> None:
    # A host's default collation (here ICU's English, which puts ";" before ":") made a period's range of keys,
    # "rem:CN:" up to "rem:CN;", hold nothing: after a restart every step looked undecided, and a unit that had
    # nobody to tell at its step got that old reminder as soon as someone registered.
    app = app_sorting_by_language
    await representative(app, "lapvo", "H-LAPVO")
    clock.set(local(12, 3))
    assert await DuePlanner(app.db, app.services)() == 1
    await representative(app, "sadec", "TP-SADEC")
    clock.advance(dt.timedelta(minutes=1))
    # A new planner, as after a restart, reads what was decided from the database.
    assert await DuePlanner(app.db, app.services)() == 0
    assert [key for key, _ in await queued(app)] == ["rem:CN:H-LAPVO:d-7"]
    async with app.db.reading() as conn:
        read = await ReminderLog(conn).decided(["CN"])
    assert {"rem:CN:H-LAPVO:d-7", "rem:CN:TP-SADEC:d-7"} <= read == set(await decided(app))
