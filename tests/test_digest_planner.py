"""Digest windows with a fixed clock: due once per scheduled end, none skipped after downtime, a long outage
folded; the standing per cluster/block; long digests cut between lines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain.campaign import OwedBy, ReportingPeriod
from bot.domain.digest import (
    DigestKind,
    DigestSchedule,
    Window,
    plan_windows,
)
from bot.domain.message_size import split_message, utf16_length
from bot.domain.standing import standing

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SCHEDULE = DigestSchedule()
DAILY, WEEKLY = DigestKind.DAILY, DigestKind.WEEKLY


def local(day: int, hour: int, minute: int = 0, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ).astimezone(dt.UTC)


def test_a_new_installation_starts_counting_and_sends_nothing() -> None:
    plan = plan_windows(DAILY, SCHEDULE, TZ, None, local(3, 10))
    assert plan.windows == [] and plan.baseline == local(2, 17)
    plan = plan_windows(WEEKLY, SCHEDULE, TZ, None, local(3, 10))  # a Thursday
    assert plan.baseline == local(30, 8, month=11)  # the Monday before, at 08:00


def test_the_daily_window_is_due_at_17_00_and_only_then() -> None:
    last = local(2, 17)
    assert plan_windows(DAILY, SCHEDULE, TZ, last, local(3, 16, 59)).windows == []
    plan = plan_windows(DAILY, SCHEDULE, TZ, last, local(3, 17))
    assert plan.windows == [Window(kind=DAILY, start=local(2, 17), end=local(3, 17))]
    assert plan.windows[0].key == "digest:daily:2026-12-03T10:00"
    # Once the window is recorded as sent, planning again a minute later finds nothing.
    assert plan_windows(DAILY, SCHEDULE, TZ, local(3, 17), local(3, 17, 1)).windows == []


def test_after_downtime_every_missed_window_is_sent_in_order() -> None:
    plan = plan_windows(DAILY, SCHEDULE, TZ, local(2, 17), local(5, 9))
    assert [(w.start, w.end) for w in plan.windows] == [
        (local(2, 17), local(3, 17)),
        (local(3, 17), local(4, 17)),
    ]


def test_a_long_outage_folds_the_oldest_windows_into_one() -> None:
    plan = plan_windows(DAILY, SCHEDULE, TZ, local(1, 17), local(20, 18), max_windows=3)
    assert [(w.start, w.end) for w in plan.windows] == [
        (local(1, 17), local(18, 17)),  # 17 days in one digest: nothing skipped, no flood
        (local(18, 17), local(19, 17)),
        (local(19, 17), local(20, 17)),
    ]


def test_weekly_windows_run_monday_to_monday_at_the_configured_time() -> None:
    schedule = DigestSchedule(weekly_day=4, weekly_at=dt.time(7, 30))  # Fridays
    plan = plan_windows(WEEKLY, schedule, TZ, local(4, 7, 30), local(18, 12))
    assert [w.end for w in plan.windows] == [local(11, 7, 30), local(18, 7, 30)]
    assert plan_windows(WEEKLY, SCHEDULE, TZ, local(7, 8), local(14, 7, 59)).windows == []
    assert [w.end for w in plan_windows(WEEKLY, SCHEDULE, TZ, local(7, 8), local(14, 8)).windows] == [local(14, 8)]


def test_local_time_is_kept_across_a_change_of_clocks() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # summer time ends on 25 October 2026
    last = dt.datetime(2026, 10, 24, 17, tzinfo=berlin)
    plan = plan_windows(DAILY, SCHEDULE, berlin, last, dt.datetime(2026, 10, 26, 9, tzinfo=berlin))
    assert [w.end.astimezone(berlin).hour for w in plan.windows] == [17]
    assert plan.windows[0].end - plan.windows[0].start == dt.timedelta(hours=25)


@dataclass
class U:
    code: str
    name: str
    kind: str
    group: str | None


def test_standing_per_cluster_in_the_campaigns_order() -> None:
    period = ReportingPeriod(
        code="6T",
        kind="six_month",
        name="Báo cáo 6 tháng",
        opens=dt.date(2026, 6, 1),
        deadline=dt.date(2026, 6, 20),
        owed_by=OwedBy(kinds=["district", "city"]),
    )
    units = [
        U("A", "Huyện A", "district", "CUM2"),
        U("B", "Huyện B", "district", "CUM1"),
        U("C", "Thành phố C", "city", "CUM1"),
        U("D", "Sở D", "department", "KHOI1"),  # owes nothing
        U("E", "Huyện E", "district", None),
    ]
    found = standing(period, units, {"A": False, "C": True}, dt.date(2026, 6, 25), ["CUM1", "CUM2"])
    assert [(g.group, g.owing, g.on_time, g.late, g.missing) for g in found.groups] == [
        ("CUM1", 2, 0, 1, ["Huyện B"]),
        ("CUM2", 1, 1, 0, []),
        ("", 1, 0, 0, ["Huyện E"]),
    ]
    assert (found.owing, found.sent, found.late, found.missing, found.overdue) == (4, 2, 1, 2, True)


def test_short_texts_go_in_one_message() -> None:
    assert split_message("Tổng hợp\n\nKhông có gì mới.", 100) == ["Tổng hợp\n\nKhông có gì mới."]
    assert split_message("  \n", 100) == []


def test_long_digests_are_cut_between_lines_and_keep_sections_together() -> None:
    sections = [[f"Mục {s}", *(f"• Đơn vị số {s}.{i} chưa gửi báo cáo" for i in range(8))] for s in range(30)]
    text = "\n\n".join("\n".join(lines) for lines in sections)
    messages = split_message(text, 700)
    assert len(messages) > 1 and all(utf16_length(m) <= 700 for m in messages)
    # Every line arrives whole and in order; no message starts or ends with blank lines.
    assert [line for m in messages for line in m.split("\n") if line] == [line for line in text.split("\n") if line]
    assert all(m == m.strip("\n") for m in messages)
    # A section that fits in a message is never split across two.
    for lines in sections:
        assert any("\n".join(lines) in m for m in messages), lines[0]


def test_a_single_line_longer_than_the_limit_is_cut_at_a_space() -> None:
    line = " ".join(["Đồng Tháp"] * 50)
    messages = split_message(f"Tiêu đề\n{line}", 100)
    assert len(messages) > 2 and all(len(m) <= 100 for m in messages)
    # No word is cut in two: the messages hold the same words, in order.
    assert [w for m in messages for w in m.split()] == f"Tiêu đề {line}".split()
    assert messages[0] == "Tiêu đề"


def test_emoji_count_twice_as_telegram_counts_them() -> None:
    text = "\n".join(["🏢 Đơn vị"] * 100)
    messages = split_message(text, 100)
    assert all(utf16_length(m) <= 100 for m in messages)
    assert max(len(m) for m in messages) < 100
