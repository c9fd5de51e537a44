"""The secretariat's digests with a fixed clock, against a real SQLite file: what a daily digest says, each
window sent once however often the job wakes and across a restart after downtime, the weekly chart, long
digests cut at each messenger's size, nominators' phone numbers never shown, and /tonghop in chat."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from bot.app import App, build_app
from bot.channels.registry import CHANNELS
from bot.clock import FixedClock
from bot.conversation.messages import Reply
from bot.digests.compose import Writer, gather
from bot.digests.jobs import run_digests
from bot.domain.digest import DigestKind
from bot.domain.message_size import split_message, utf16_length
from bot.domain.policy import Grant, Role
from bot.scheduler import DIGESTS_JOB, build_scheduler
from bot.settings import Settings
from bot.storage.repos import Repos
from tests.support.chat import Person
from tests.support.config import CAMPAIGN, make_settings
from tests.support.conversations import answer_up_to_summary, report_poverty
from tests.support.db import rows
from tests.support.roles import registered, representative

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Each database test runs on SQLite and on PostgreSQL.
BOTH_ENGINES = True
PNG_HEADER = b"\x89PNG\r\n\x1a\n"
# How the nominator in tests.test_nomination_flow is named and reached: never in a digest.
PHONE_FORMS = ("+84912345678", "0912345678", "0912 345 678", "912345678")
NOMINATOR = "Trần Thị Bình"


def local(day: int, hour: int, minute: int = 0, month: int = 12) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


def queued(app: App) -> list[tuple[str, str, str, Reply]]:
    """(dedup key, channel, chat, message) of every digest in the outbox, in the order they were queued."""
    found = rows(app, "SELECT dedup_key, channel, chat_id, payload FROM outbox WHERE kind = 'digest' ORDER BY id")
    return [(key, channel, chat, Reply.model_validate_json(payload)) for key, channel, chat, payload in found]


def log_rows(app: App, kind: str = "daily") -> list[tuple[str | None, str, int]]:
    return rows(
        app, "SELECT window_start, window_end, messages FROM digest_log WHERE kind = ? ORDER BY window_end", (kind,)
    )


def texts(app: App, chat: str, window: str = "digest:daily") -> list[str]:
    return [r.text for key, _, c, r in queued(app) if c == chat and key.startswith(window) and r.file is None]


async def run(app: App) -> int:
    return await run_digests(app.db, app.services)


async def nominate(app: App, user_id: str) -> str:
    person = Person(app, user_id)
    await answer_up_to_summary(person)  # a named nominator with a phone number
    await person.tap("Gửi")
    return next(word for word in person.text.split() if word.startswith("NTVT-"))


async def report(app: App, user_id: str, unit: str) -> None:
    rep = await representative(app, user_id, unit)
    await report_poverty(rep)
    await rep.tap("Gửi")
    assert "Mã báo cáo" in rep.text


async def test_a_new_installation_starts_counting_and_sends_nothing(app: App, clock: FixedClock) -> None:
    await registered(app, "30", Grant(role=Role.SECRETARIAT))
    clock.set(local(3, 10))  # a Thursday
    assert await run(app) == 0
    assert queued(app) == []
    assert log_rows(app, "daily") == [(None, "2026-12-02T10:00:00.000000Z", 0)]  # 17:00 the day before
    assert log_rows(app, "weekly") == [(None, "2026-11-30T01:00:00.000000Z", 0)]  # Monday 08:00


async def test_the_daily_digest_tells_what_came_in_what_waits_and_who_is_late(app: App, clock: FixedClock) -> None:
    await registered(app, "30", Grant(role=Role.SECRETARIAT))
    await report(app, "10", "H-THAPMUOI")  # 28/11, on time, before the digests start counting
    clock.set(local(11, 8))
    await run(app)
    clock.set(local(11, 9))
    reference = await nominate(app, "50")
    await report(app, "11", "H-LAPVO")  # the day after the deadline: late
    clock.set(local(11, 16, 59))
    assert await run(app) == 0  # not yet 17:00
    clock.set(local(11, 17))
    assert await run(app) == 1
    [text] = texts(app, "30")
    assert text.startswith("📰 TỔNG HỢP HẰNG NGÀY — 17:00 11/12/2026\nTừ 17:00 10/12/2026 đến 17:00 11/12/2026\n")
    assert "gửi bù" not in text
    assert f"🏅 Đề cử mới: 1\n• {reference} — Nguyễn Văn An (Huyện Tháp Mười), Cả nước chung sức" in text
    # Only the window's report; the one of 28/11 went before the window.
    assert "📄 Báo cáo mới: 1 (1 trễ hạn)\n• Huyện Lấp Vò — Báo cáo tổng kết năm 2026 (v1, trễ hạn)" in text
    assert (
        f"⏳ Chờ xét duyệt: 1 (1 mới gửi), lâu nhất trước:\n• {reference} — Nguyễn Văn An (Huyện Tháp Mười): mới gửi, đã 8 giờ"
        in text
    )
    late = text.split("⚠️ Chậm báo cáo — Báo cáo tổng kết năm 2026 (hạn 10/12/2026): 16 đơn vị chưa gửi\n")[1]
    cluster1 = late.split("\n")[0]
    assert cluster1.startswith("Cụm thi đua số 1 (mẫu): Huyện Cao Lãnh, Huyện Châu Thành, Huyện Lai Vung")
    assert "Tháp Mười" not in cluster1 and "Lấp Vò" not in cluster1
    # The digital phase is not due until 31/12: nobody is late for it yet.
    assert "Chậm báo cáo — Đợt thi đua chuyển đổi số" not in text
    assert "📊 Báo cáo tổng kết năm 2026 (hạn 10/12/2026): đã gửi 2/18 đơn vị, 1 trễ hạn\n" in text
    assert "• Cụm thi đua số 1 (mẫu): 2/7 (1 trễ hạn)\n• Cụm thi đua số 2 (mẫu): 0/5\n" in text
    assert "📊 Đợt thi đua chuyển đổi số (quý IV/2026) (hạn 31/12/2026): đã gửi 0/12 đơn vị" in text
    assert log_rows(app)[-1] == ("2026-12-10T10:00:00.000000Z", "2026-12-11T10:00:00.000000Z", 1)


async def test_a_window_goes_out_once_however_often_the_job_runs(app: App, clock: FixedClock) -> None:
    await registered(app, "30", Grant(role=Role.SECRETARIAT))
    await registered(app, "31", Grant(role=Role.SECRETARIAT))
    clock.set(local(3, 10))
    await run(app)
    clock.set(local(3, 17, 0))
    first = await run(app)
    assert first == 2  # one message to each member's own chat
    clock.set(local(3, 17, 1))
    assert await run(app) == 0
    # Two wake-ups at once (a second process on the same file, say) still queue the next window once.
    clock.set(local(4, 17, 0))
    assert sorted(await asyncio.gather(run(app), run(app))) == [0, 2]
    keys = [key for key, *_ in queued(app)]
    assert len(keys) == len(set(keys)) == 4
    assert [len(texts(app, chat)) for chat in ("30", "31")] == [2, 2]
    assert [end for _, end, _ in log_rows(app)] == [
        "2026-12-02T10:00:00.000000Z",
        "2026-12-03T10:00:00.000000Z",
        "2026-12-04T10:00:00.000000Z",
    ]


async def test_after_downtime_a_new_process_sends_each_missed_window_once(settings: Settings) -> None:
    clock = FixedClock(local(1, 18))
    app = await build_app(settings, clock)
    await registered(app, "30", Grant(role=Role.SECRETARIAT))
    await run(app)  # counting starts at 17:00 on 1/12
    clock.set(local(2, 10))
    first = await nominate(app, "50")
    await app.close()
    # Down from 1/12 to 5/12 09:00; a nomination lands meanwhile through another process.
    clock.set(local(4, 10))
    other = await build_app(settings, clock)
    second = await nominate(other, "51")
    await other.close()

    clock.set(local(5, 9))
    app = await build_app(settings, clock)
    try:
        assert await run(app) == 3
        assert await run(app) == 0
        digests = texts(app, "30")
        assert [d.split("\n")[1] for d in digests] == [
            "Từ 17:00 01/12/2026 đến 17:00 02/12/2026",
            "Từ 17:00 02/12/2026 đến 17:00 03/12/2026",
            "Từ 17:00 03/12/2026 đến 17:00 04/12/2026",
        ]
        assert all("(gửi bù lúc 09:00 05/12/2026" in d for d in digests)
        assert first in digests[0] and "🏅 Đề cử mới: 1" in digests[0]
        assert "🏅 Không có đề cử mới." in digests[1]
        assert f"🏅 Đề cử mới: 1\n• {second}" in digests[2] and first not in digests[2].split("⏳")[0]
    finally:
        await app.close()

    clock.set(local(5, 17))
    app = await build_app(settings, clock)
    try:
        assert await run(app) == 1
        # Window after window, each starting where the one before ended: none skipped, none twice.
        ends = [row[1] for row in log_rows(app)]
        starts = [row[0] for row in log_rows(app)]
    finally:
        await app.close()
    assert starts[1:] == ends[:-1] and len(ends) == 5


async def test_a_long_outage_is_folded_rather_than_flooding(app: App, clock: FixedClock) -> None:
    await registered(app, "30", Grant(role=Role.SECRETARIAT))
    clock.set(local(1, 18))
    await run(app)
    clock.set(local(11, 18))  # ten daily windows missed
    await run(app)
    windows = [d.split("\n")[1] for d in texts(app, "30")]
    assert len(windows) == 7
    assert windows[0] == "Từ 17:00 01/12/2026 đến 17:00 05/12/2026"  # four days in one digest
    assert windows[-1] == "Từ 17:00 10/12/2026 đến 17:00 11/12/2026"


async def test_nobody_at_the_desk_still_closes_the_window(app: App, clock: FixedClock) -> None:
    clock.set(local(3, 10))
    await run(app)
    clock.set(local(3, 17))
    assert await run(app) == 0
    assert log_rows(app)[-1][2] == 0
    await registered(app, "30", Grant(role=Role.SECRETARIAT))
    clock.set(local(3, 18))
    assert await run(app) == 0  # a member who joins later is not sent the past


async def test_the_weekly_digest_carries_a_chart_in_each_readers_language(app: App, clock: FixedClock) -> None:
    await registered(app, "30", Grant(role=Role.SECRETARIAT))
    english = await registered(app, "31", Grant(role=Role.SECRETARIAT))
    await english.say("/lang en")
    await report(app, "10", "H-THAPMUOI")
    clock.set(local(3, 10))
    await run(app)
    clock.set(local(7, 8))  # Monday 08:00
    await run(app)
    weekly = [(key, chat, r) for key, _, chat, r in queued(app) if key.startswith("digest:weekly:")]
    assert [(key.rsplit(":", 1)[1], chat) for key, chat, _ in weekly] == [
        ("1", "30"),
        ("chart", "30"),
        ("1", "31"),
        ("chart", "31"),
    ]
    assert weekly[0][2].text.startswith("📰 TỔNG HỢP HẰNG TUẦN — 08:00 07/12/2026\nTừ 08:00 30/11/2026")
    assert weekly[2][2].text.startswith("📰 WEEKLY DIGEST — 08:00 07/12/2026\nFrom 08:00 30/11/2026")
    charts = [r for _, _, r in weekly if r.file is not None]
    assert [r.text for r in charts] == [
        "📊 Báo cáo theo cụm, khối đến 08:00 07/12/2026",
        "📊 Reports by cluster and block up to 08:00 07/12/2026",
    ]
    for reply in charts:
        assert reply.file is not None and reply.file.as_photo and reply.file.mime == "image/png"
        data = Path(reply.file.path).read_bytes()
        assert data.startswith(PNG_HEADER) and len(data) > 10_000
    assert charts[0].file is not None and charts[1].file is not None
    assert charts[0].file.path != charts[1].file.path
    # The daily digest of the same moment has no picture.
    assert all(r.file is None for key, _, _, r in queued(app) if key.startswith("digest:daily:"))


def many_units_campaign(folder: Path, per_group: int = 60) -> Path:
    data = yaml.safe_load(CAMPAIGN.read_text(encoding="utf-8"))
    groups = [g["code"] for g in data["groups"]]
    data["units"] += [
        {"code": f"X-{g}-{i:03d}", "name": f"Ủy ban nhân dân xã Phú Thành số {i} ({g})", "kind": "commune", "group": g}
        for g in groups
        for i in range(per_group)
    ]
    path = folder / "campaign.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def test_a_long_digest_is_cut_at_each_messengers_size_between_lines(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path, campaign_file=many_units_campaign(tmp_path), secretariat_chats="zalo:z-desk,telegram:-100777"
    )
    clock = FixedClock(local(11, 8))
    app = await build_app(settings, clock, CHANNELS)
    try:
        await run(app)
        clock.set(local(11, 17))
        await run(app)
        by_chat = {chat: [r.text for key, _, c, r in queued(app) if c == chat] for chat in ("z-desk", "-100777")}
        async with app.db.reading() as conn:
            data = await gather(
                Repos(conn), app.services.campaign, local(10, 17), local(11, 17), clock.now(), DigestKind.DAILY
            )
        full = Writer(app.services.campaign, app.services.catalog, "vi").text(data)
        assert utf16_length(full) > 4096
        assert len(by_chat["z-desk"]) > len(by_chat["-100777"]) > 1
        for chat, limit in (("z-desk", 2000), ("-100777", 4096)):
            parts = by_chat[chat]
            assert all(utf16_length(p) <= limit for p in parts)
            # Every line arrives whole, in order, and nothing else arrives.
            lines = [line for line in full.split("\n") if line]
            assert [line for p in parts for line in p.split("\n") if line] == lines
            assert parts == split_message(full, limit)
        # Late units are named up to a point per cluster, then counted.
        assert "và 35 đơn vị khác" in full
    finally:
        await app.close()


async def test_no_digest_shows_a_nominators_phone_number(app: App, clock: FixedClock) -> None:
    secretariat = await registered(app, "30", Grant(role=Role.SECRETARIAT))
    clock.set(local(7, 7))
    await run(app)
    clock.set(local(7, 7, 30))
    await nominate(app, "50")
    clock.set(local(7, 17))
    await run(app)  # the weekly of 08:00 and the daily of 17:00
    await secretariat.say("/tonghop")
    assert "Nguyễn Văn An" in secretariat.text
    assert rows(app, "SELECT nominator_phone FROM nominations") == [("+84912345678",)]
    payloads = " ".join(p for (p,) in rows(app, "SELECT payload FROM outbox WHERE kind = 'digest'"))
    assert {key.split(":")[1] for key, *_ in queued(app)} == {"daily", "weekly"}
    for shown in (payloads, secretariat.text):
        assert "Nguyễn Văn An" in shown
        assert not any(phone in shown for phone in PHONE_FORMS) and NOMINATOR not in shown


async def test_tonghop_sends_a_digest_now_and_leaves_the_schedule_alone(app: App, clock: FixedClock) -> None:
    secretariat = await registered(app, "30", Grant(role=Role.SECRETARIAT))
    clock.set(local(3, 17))
    await run(app)  # counting starts at 17:00 on 3/12
    clock.set(local(4, 9))
    reference = await nominate(app, "50")
    clock.set(local(4, 11))
    replies = await secretariat.say("/tonghop")
    text = replies[0].text
    assert text.startswith("📰 TỔNG HỢP ĐẾN 11:00 04/12/2026\nTừ 17:00 03/12/2026 đến 11:00 04/12/2026")
    assert f"• {reference} — Nguyễn Văn An (Huyện Tháp Mười): mới gửi, đã 2 giờ" in text
    chart = replies[-1]
    assert chart.file is not None and chart.file.as_photo
    assert chart.text == "📊 Báo cáo theo cụm, khối đến 11:00 04/12/2026"
    assert Path(chart.file.path).read_bytes().startswith(PNG_HEADER)
    # Nothing was queued or logged: 17:00 still sends the day's digest, with the same nomination in it.
    assert queued(app) == [] and len(log_rows(app)) == 1
    clock.set(local(4, 17))
    assert await run(app) == 1
    assert reference in texts(app, "30")[0]
    # Asked again right after the daily went out, it covers that day rather than an empty minute.
    await secretariat.say("/digest")
    assert "Từ 17:00 03/12/2026 đến 17:00 04/12/2026" in secretariat.text


async def test_tonghop_in_english(app: App, clock: FixedClock) -> None:
    admin = await registered(app, "40", Grant(role=Role.ADMIN))
    await admin.say("/lang en")
    await admin.say("/digest")
    assert admin.text.startswith("📰 DIGEST UP TO 09:00 28/11/2026")
    assert "📊 Year-end summary report 2026 (due 10/12/2026): 0/18 units have reported, 0 late" in admin.text
    assert admin.last[-1].text == "📊 Reports by cluster and block up to 09:00 28/11/2026"


async def test_a_citizen_or_a_representative_is_refused_politely(app: App) -> None:
    citizen = Person(app, "60")
    for person in (citizen, await representative(app, "10", "H-THAPMUOI")):
        await person.say("/tonghop")
        assert len(person.last) == 1 and person.last[0].file is None
        assert "Bản tổng hợp dành cho Thường trực Hội đồng" in person.text
    assert queued(app) == []


async def test_the_running_schedulers_wake_the_digests_every_minute(app: App) -> None:
    scheduler = build_scheduler(app.db, app.services)
    job = scheduler.get_job(DIGESTS_JOB)
    assert job is not None and job.trigger.interval == dt.timedelta(minutes=1)
    assert job.misfire_grace_time is None and job.coalesce and job.max_instances == 1


async def test_charts_made_on_request_do_not_pile_up(app: App) -> None:
    secretariat = await registered(app, "30", Grant(role=Role.SECRETARIAT))
    first = (await secretariat.say("/tonghop"))[-1].file
    assert first is not None
    folder = Path(first.path).parent
    week_old = folder / "now-20261101T000000-30-vi.png"
    week_old.write_bytes(Path(first.path).read_bytes())
    eight_days = 8 * 24 * 3600
    os.utime(week_old, (time.time() - eight_days, time.time() - eight_days))
    await secretariat.say("/tonghop")
    # The old picture is gone; the one just sent, and the one before it (still young), are kept.
    assert not week_old.exists() and Path(first.path).exists()
    assert secretariat.last[-1].file is not None and Path(secretariat.last[-1].file.path).exists()
