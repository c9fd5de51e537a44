"""Reminders with a fixed clock: the schedule of a period, quiet hours, catch-up, escalation, and once only."""

from __future__ import annotations

import datetime as dt
import sqlite3
from zoneinfo import ZoneInfo

from bot.app import App
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from bot.domain.reminder_policy import ReminderPolicy
from bot.outbox.limits import ChannelLimits
from bot.outbox.worker import OutboxWorker
from bot.reminders.jobs import run_planner
from bot.reminders.planner import deliverable
from tests.chat import Person
from tests.fake_sender import FakeSender, fake_sleep
from tests.roles import registered, representative
from tests.test_reports import report_poverty

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(year: int, month: int, day: int, hour: int = 8, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ).astimezone(dt.UTC)


async def deliver(app: App, clock: FixedClock, at: dt.datetime) -> list[tuple[str, str]]:
    """Run the planner at a moment and send what it queued; what reached whom."""
    clock.set(at)
    await run_planner(app.db, app.services)
    sender = FakeSender("console")
    worker = OutboxWorker(
        app.db, {"console": sender}, clock, {"console": ChannelLimits(per_second=1000)}, sleep=fake_sleep(clock)
    )
    await worker.drain()
    return sender.delivered


def outbox(app: App) -> list[tuple[object, ...]]:
    with sqlite3.connect(app.db.path) as conn:
        return conn.execute("SELECT dedup_key, chat_id FROM outbox ORDER BY id").fetchall()


async def test_the_whole_schedule_of_a_period(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    await representative(app, "sadec", "TP-SADEC")
    got: dict[str, list[str]] = {}
    day = dt.date(2026, 11, 28)
    while day <= dt.date(2026, 12, 15):
        for hour in (6, 8, 12):
            for chat, text in await deliver(app, clock, local(day.year, day.month, day.day, hour)):
                got.setdefault(chat, []).append(f"{day:%d/%m} {hour:02d}h {text.splitlines()[0]}")
        day += dt.timedelta(days=1)
    schedule = [line.split(" ", 2)[0] + " " + line.split(" ", 2)[1] for line in got["sadec"]]
    # Year-end report due 10/12: 7, 3, 1 days before, the morning of, then 1 and 3 days after, all at 08:00.
    cn_days = ["03/12 08h", "07/12 08h", "09/12 08h", "10/12 08h", "11/12 08h", "13/12 08h"]
    assert [s for s in schedule if s in cn_days] == cn_days
    assert all("08h" in s for s in schedule)
    assert any("quá hạn 3 ngày" in line for line in got["sadec"])
    # The districts also owe the digital phase (due 31/12): its 7-day reminder is not due yet by 15/12.
    assert len(got["lapvo"]) == len(got["sadec"]) == 6


async def test_a_unit_that_reported_is_not_reminded(app: App, clock: FixedClock) -> None:
    rep = await representative(app, "thapmuoi", "H-THAPMUOI")
    other = await representative(app, "lapvo", "H-LAPVO")
    del other
    await report_poverty(rep)
    await rep.tap("Gửi")
    sent = await deliver(app, clock, local(2026, 12, 3, 8))
    assert [chat for chat, _ in sent] == ["lapvo"]


async def test_quiet_hours_hold_messages_until_morning(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    assert await deliver(app, clock, local(2026, 12, 3, 6, 59)) == []  # not 08:00 yet
    assert await deliver(app, clock, local(2026, 12, 3, 23, 30)) == []  # the bot was down at 08:00; now quiet
    sent = await deliver(app, clock, local(2026, 12, 4, 7, 0))  # quiet hours end
    assert [chat for chat, _ in sent] == ["lapvo"] and "còn 7 ngày" in sent[0][1]
    policy = ReminderPolicy(send_at=dt.time(22, 0))
    late_evening = dt.datetime(2026, 12, 3, 22, 0, tzinfo=TZ)
    assert deliverable(late_evening, policy) == dt.datetime(2026, 12, 4, 7, 0, tzinfo=TZ)


async def test_after_downtime_only_the_latest_missed_step_is_sent(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    sent = await deliver(app, clock, local(2026, 12, 9, 10))  # down since before 03/12
    assert len(sent) == 1 and "còn 1 ngày" in sent[0][1]
    with sqlite3.connect(app.db.path) as conn:
        skipped = conn.execute(
            "SELECT key FROM reminder_log WHERE decision = 'skipped' AND key LIKE 'rem:CN:H-LAPVO%'"
        ).fetchall()
    assert sorted(k for (k,) in skipped) == ["rem:CN:H-LAPVO:d-3", "rem:CN:H-LAPVO:d-7"]
    assert await deliver(app, clock, local(2026, 12, 9, 11)) == []  # the skipped ones never come back


async def test_planning_twice_sends_once(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    clock.set(local(2026, 12, 3, 8))
    first = await run_planner(app.db, app.services)
    second = await run_planner(app.db, app.services)
    assert (first, second) == (1, 0)
    [(key, chat)] = outbox(app)
    assert str(key).startswith("rem:CN:H-LAPVO:d-7:") and chat == "lapvo"


async def test_escalation_to_the_council_and_secretariat(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    await registered(app, "council2", Grant(role=Role.COUNCIL, group_code="CUM2"))
    await registered(app, "sec", Grant(role=Role.SECRETARIAT))
    sent = dict(await deliver(app, clock, local(2026, 12, 13, 8)))
    assert "quá hạn 3 ngày" in sent["lapvo"]
    council = sent["council2"]
    assert "5 đơn vị chưa gửi" in council and "Huyện Tân Hồng" in council and "Huyện Lấp Vò" not in council
    assert "18 đơn vị chưa gửi" in sent["sec"]


async def test_each_person_in_their_language_with_a_button(app: App, clock: FixedClock) -> None:
    rep = await representative(app, "lapvo", "H-LAPVO")
    await rep.say("/lang en")
    clock.set(local(2026, 12, 3, 8))
    await run_planner(app.db, app.services)
    with sqlite3.connect(app.db.path) as conn:
        payloads = [p for (p,) in conn.execute("SELECT payload FROM outbox WHERE chat_id = 'lapvo'")]
    assert any("Report reminder" in p and "menu:report" in p for p in payloads)
    person = Person(app, "lapvo")
    from bot.engine.messages import Incoming, Kind

    await person.send(
        Incoming(channel="console", user_id="lapvo", chat_id="lapvo", kind=Kind.CHOICE, choice="menu:report")
    )
    assert "Which period" in person.text  # the button starts the report right away
