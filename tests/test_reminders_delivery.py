"""Reminders through the whole bot with a fixed clock: people registered by invite, reports submitted by
/baocao, the planner reading the database, the outbox sending: who gets what, when, in which words."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from zoneinfo import ZoneInfo

from bot.app import App
from bot.clock import FixedClock
from bot.conversation.messages import Incoming, Kind
from bot.domain.policy import Grant, Role
from bot.outbox.limits import ChannelLimits
from bot.outbox.quiet_hours import quiet_hours_hold
from bot.outbox.worker import OutboxWorker
from bot.reminders.jobs import REPORT_BUTTON, run_planner
from tests.support.chat import Person
from tests.support.conversations import report_poverty
from tests.support.fake_sender import FakeSender, fake_sleep
from tests.support.roles import registered, representative

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(month: int, day: int, hour: int = 8, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ).astimezone(dt.UTC)


async def deliver(app: App, clock: FixedClock, at: dt.datetime) -> list[tuple[str, str]]:
    """Wake the planner at a moment and send what it queued: what reached whom."""
    clock.set(at)
    await run_planner(app.db, app.services)
    sender = FakeSender("console")
    worker = OutboxWorker(
        app.db,
        {"console": sender},
        clock,
        {"console": ChannelLimits(per_second=1000)},
        sleep=fake_sleep(clock),
        hold=quiet_hours_hold(app.services.campaign),
    )
    await worker.drain()
    return sender.delivered


def decisions(app: App, like: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(app.db.path) as conn:
        return conn.execute("SELECT key, decision FROM reminder_log WHERE key LIKE ? ORDER BY key", (like,)).fetchall()


async def test_the_whole_schedule_of_a_period(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    english = await representative(app, "sadec", "TP-SADEC")
    await english.say("/lang en")
    await registered(app, "council1", Grant(role=Role.COUNCIL, group_code="CUM1"))
    await registered(app, "sec", Grant(role=Role.SECRETARIAT))
    got: dict[str, list[str]] = {}
    day = dt.date(2026, 12, 1)
    while day <= dt.date(2026, 12, 15):
        for hour in (6, 8, 12, 22):
            for chat, text in await deliver(app, clock, local(day.month, day.day, hour)):
                got.setdefault(chat, []).append(f"{day:%d/%m} {hour:02d}h {text.splitlines()[0]}")
        day += dt.timedelta(days=1)
    assert got["lapvo"] == [
        "03/12 08h ⏰ Nhắc hạn báo cáo: Báo cáo tổng kết năm 2026",
        "07/12 08h ⏰ Nhắc hạn báo cáo: Báo cáo tổng kết năm 2026",
        "09/12 08h ⏰ Nhắc hạn báo cáo: Báo cáo tổng kết năm 2026",
        "10/12 08h ⏰ Hôm nay là hạn nộp: Báo cáo tổng kết năm 2026",
        "11/12 08h ⚠️ Báo cáo đã quá hạn: Báo cáo tổng kết năm 2026",
        "13/12 08h ⚠️ Báo cáo đã quá hạn: Báo cáo tổng kết năm 2026",
    ]
    assert [line.split(" ", 2)[2] for line in got["sadec"]][:3] == [
        "⏰ Report reminder: Year-end summary report 2026"
    ] * 3
    assert got["council1"] == [
        "13/12 08h 🔔 Các đơn vị chưa gửi «Báo cáo tổng kết năm 2026» (hạn 10/12/2026, đã quá 3 ngày): 7 đơn vị"
    ]
    assert got["sec"] == [
        "13/12 08h 🔔 Các đơn vị chưa gửi «Báo cáo tổng kết năm 2026» (hạn 10/12/2026, đã quá 3 ngày): 18 đơn vị"
    ]


async def test_what_a_reminder_says(app: App, clock: FixedClock) -> None:
    english = await representative(app, "sadec", "TP-SADEC")
    await english.say("/lang en")
    await representative(app, "lapvo", "H-LAPVO")
    sent = dict(await deliver(app, clock, local(12, 7)))
    assert sent["lapvo"] == (
        "⏰ Nhắc hạn báo cáo: Báo cáo tổng kết năm 2026\n"
        "Đơn vị: Huyện Lấp Vò\n"
        "Hạn nộp: hết ngày 10/12/2026 (còn 3 ngày).\n"
        "Đơn vị chưa gửi báo cáo cho kỳ này.\n"
        "Cách gửi: gõ /baocao, hoặc bấm nút bên dưới để bắt đầu ngay."
    )
    assert "Deadline: end of 10/12/2026 (3 days left)." in sent["sadec"] and "type /report" in sent["sadec"]
    overdue = dict(await deliver(app, clock, local(12, 11)))
    assert "Hạn nộp: 10/12/2026 (đã quá 1 ngày)." in overdue["lapvo"] and "ghi là nộp trễ" in overdue["lapvo"]
    assert "Deadline: 10/12/2026 (1 day ago)." in overdue["sadec"]


async def test_the_escalation_lists_late_units_by_cluster(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    rep = await representative(app, "thapmuoi", "H-THAPMUOI")
    await report_poverty(rep)
    await rep.tap("Gửi")
    council = await registered(app, "council2", Grant(role=Role.COUNCIL, group_code="CUM2"))
    await council.say("/lang en")
    await registered(app, "sec", Grant(role=Role.SECRETARIAT))
    sent = dict(await deliver(app, clock, local(12, 13)))
    assert sent["council2"].splitlines() == [
        '🔔 Units that have not sent "Year-end summary report 2026" (due 10/12/2026, 3 days ago): 5',
        "",
        "Emulation cluster 2 (sample)",
        "• Huyện Hồng Ngự",
        "• Huyện Tam Nông",
        "• Huyện Tân Hồng",
        "• Huyện Thanh Bình",
        "• Thành phố Hồng Ngự",
        "",
        "The /status command shows the overall picture.",
    ]
    secretariat = sent["sec"]
    assert "17 đơn vị" in secretariat and "Huyện Tháp Mười" not in secretariat  # it reported
    assert secretariat.index("Cụm") < secretariat.index("Huyện Lấp Vò") < secretariat.index("Khối")


async def test_a_unit_that_reported_is_not_reminded(app: App, clock: FixedClock) -> None:
    rep = await representative(app, "thapmuoi", "H-THAPMUOI")
    await representative(app, "lapvo", "H-LAPVO")
    await report_poverty(rep)
    await rep.tap("Gửi")
    sent = await deliver(app, clock, local(12, 3))
    assert [chat for chat, _ in sent] == ["lapvo"]


async def test_quiet_hours_hold_messages_until_morning(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    assert await deliver(app, clock, local(12, 3, 6, 59)) == []  # not 08:00 yet
    assert await deliver(app, clock, local(12, 3, 23, 30)) == []  # the bot was down at 08:00; now quiet
    sent = await deliver(app, clock, local(12, 4, 7, 0))  # the quiet hours end
    assert [chat for chat, _ in sent] == ["lapvo"] and "còn 6 ngày" in sent[0][1]


async def test_after_downtime_only_the_latest_missed_step_is_sent_and_tells_the_truth(
    app: App, clock: FixedClock
) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    sent = await deliver(app, clock, local(12, 8, 10))  # down from before 03/12 until 08/12
    assert len(sent) == 1 and "còn 2 ngày" in sent[0][1]  # the 3-day step, sent a day late, says 2
    assert decisions(app, "rem:CN:H-LAPVO:%") == [("rem:CN:H-LAPVO:d-3", "sent"), ("rem:CN:H-LAPVO:d-7", "skipped")]
    assert await deliver(app, clock, local(12, 8, 11)) == []  # the passed-over one never comes back
    assert len(await deliver(app, clock, local(12, 9, 8))) == 1  # and the next step keeps its time


async def test_planning_twice_sends_once(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    clock.set(local(12, 3))
    first, second = await asyncio.gather(run_planner(app.db, app.services), run_planner(app.db, app.services))
    assert sorted([first, second]) == [0, 1]
    assert await run_planner(app.db, app.services) == 0
    with sqlite3.connect(app.db.path) as conn:
        [(key, chat)] = conn.execute("SELECT dedup_key, chat_id FROM outbox").fetchall()
    assert str(key).startswith("rem:CN:H-LAPVO:d-7:") and chat == "lapvo"


async def test_the_button_starts_the_report(app: App, clock: FixedClock) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    clock.set(local(12, 3))
    await run_planner(app.db, app.services)
    person = Person(app, "lapvo")
    with sqlite3.connect(app.db.path) as conn:
        [(payload,)] = conn.execute("SELECT payload FROM outbox WHERE chat_id = 'lapvo'").fetchall()
    assert REPORT_BUTTON in payload and "Gửi báo cáo ngay" in payload
    await person.send(
        Incoming(channel="console", user_id="lapvo", chat_id="lapvo", kind=Kind.CHOICE, choice=REPORT_BUTTON)
    )
    assert "Báo cáo cho kỳ nào?" in person.text  # the report starts right away
