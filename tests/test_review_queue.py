"""The secretariat reaches every nomination from the chat: the queue (/choduyet) oldest first with a page at a
time, a nomination opened by its reference (/xem, or the reference typed alone), and the digest pointing
at each waiting one. Driven through the terminal chat's engine on a real SQLite file."""

from __future__ import annotations

import datetime as dt

from bot.app import App
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from tests.support.chat import Person
from tests.support.conversations import Member, nominate, secretariat, status_of
from tests.support.roles import registered


async def test_a_secretary_who_registers_after_three_nominations_reviews_all_three_from_the_queue(
    app: App, clock: FixedClock
) -> None:
    # Nobody sits at the desk yet: no card goes anywhere for these three.
    references = []
    for number, (name, unit) in enumerate(
        [("Nguyễn Văn An", "thap muoi"), ("Lê Thị Hoa", "lap vo"), ("Trần Văn Ba", "sa dec")]
    ):
        references.append(await nominate(Person(app, f"100{number}"), name, unit=unit))
        clock.advance(dt.timedelta(hours=5))
    lan = await secretariat(app, "3001")
    assert lan.inbox() == []

    await lan.say("/choduyet")
    assert "Chờ xét duyệt: 3 đề cử" in lan.text
    # Oldest first, each with its age and unit, and a button to open it.
    text = lan.text
    positions = [text.index(ref) for ref in references]
    assert positions == sorted(positions)
    assert "1. NTVT-2026-000001 — đã 15 giờ — Huyện Tháp Mười" in text
    assert "Huyện Lấp Vò" in text and "Nguyễn Văn An" in text
    assert lan.buttons == [f"📄 {ref}" for ref in references]

    # One number opens the first card, whose buttons decide it.
    await lan.say("1")
    assert "📄 Đề cử NTVT-2026-000001" in lan.text and "Nguyễn Văn An" in lan.text
    await lan.tap("Duyệt")
    await lan.tap("Chỉ duyệt")
    assert status_of(app, references[0]) == "approved"

    # The second by a press on the queue, rejected with a reason.
    await lan.say("/choduyet")
    assert "Chờ xét duyệt: 2 đề cử" in lan.text
    await lan.tap(references[1])
    await lan.tap("Từ chối")
    await lan.say("Việc làm chưa đủ tiêu biểu so với tiêu chí của phong trào.")
    await lan.tap("Gửi")
    assert status_of(app, references[1]) == "rejected"

    # The third by typing its reference alone.
    await lan.say("ntvt-2026-3")
    assert "📄 Đề cử NTVT-2026-000003" in lan.text
    await lan.tap("Duyệt")
    await lan.tap("Chỉ duyệt")
    assert status_of(app, references[2]) == "approved"

    await lan.say("/choduyet")
    assert "Không có đề cử nào chờ xét duyệt" in lan.text


async def test_the_queue_goes_page_by_page_and_filters_by_status_and_group(app: App, clock: FixedClock) -> None:
    citizen = Person(app, "1001")
    for number in range(10):
        await nominate(citizen, f"Người Số {number}", unit="thap muoi" if number % 2 else "lap vo")
        clock.advance(dt.timedelta(minutes=10))
    lan = await secretariat(app, "3001")
    await lan.say("/queue")
    assert "10 đề cử" in lan.text and "8. NTVT-2026-000008" in lan.text and "NTVT-2026-000009" not in lan.text
    await lan.tap("2 đề cử tiếp theo")
    assert "9. NTVT-2026-000009" in lan.text and "10. NTVT-2026-000010" in lan.text
    assert "NTVT-2026-000001" not in lan.text
    await lan.tap("Về đầu")
    assert "1. NTVT-2026-000001" in lan.text

    # Asking the nominator for more moves one out of "new" and into "waiting for the nominator".
    await lan.say("/xem NTVT-2026-000002")
    await lan.tap("Hỏi thêm")
    await lan.say("Xin gửi thêm ảnh giấy khen của địa phương.")
    await lan.tap("Gửi")
    await lan.say("/choduyet bosung")
    assert "1 đề cử" in lan.text and "NTVT-2026-000002" in lan.text and "NTVT-2026-000001" not in lan.text
    await lan.say("/choduyet moi")
    assert "9 đề cử" in lan.text

    # Every one of them is from Cluster 1; none from Cluster 2.
    await lan.say("/choduyet cum1")
    assert "Chờ xét duyệt (Cụm thi đua số 1 (mẫu)): 10 đề cử" in lan.text
    await lan.say("/choduyet CUM2 moi")
    assert "Không có đề cử nào chờ xét duyệt (mới gửi, Cụm thi đua số 2 (mẫu))" in lan.text

    await lan.say("/choduyet hôm-qua")
    assert "Mình chưa hiểu “hôm-qua”" in lan.text and "bosung" in lan.text


async def test_only_those_allowed_open_a_nomination_by_reference(app: App) -> None:
    binh = Member(app, "1001")
    reference = await nominate(binh)
    other = Person(app, "1002")
    await other.say(f"/xem {reference}")
    assert "Không tìm thấy đề cử NTVT-2026-000001, hoặc bạn không có quyền xem" in other.text
    assert "Nguyễn Văn An" not in other.text
    # The nominator sees their own, as in /cuatoi.
    await binh.say(reference)
    assert "NTVT-2026-000001" in binh.text and "Nguyễn Văn An" in binh.text and "Đã gửi" in binh.text
    assert "Mình chưa hiểu" not in binh.text
    await binh.say("/xem")
    assert "/xem NTVT-2026-000003" in binh.text
    await binh.say("/xem abc")
    assert "không phải mã đề cử" in binh.text
    # A representative is not the desk: the queue is refused kindly.
    rep = await registered(app, "2001", Grant(role=Role.UNIT_REP, unit_code="H-LAPVO"))
    await rep.say("/choduyet")
    assert "Chỉ Thường trực Hội đồng" in rep.text


async def test_the_digest_points_at_each_waiting_nomination(app: App) -> None:
    reference = await nominate(Person(app, "1001"))
    lan = await secretariat(app, "3001")
    await lan.say("/tonghop")
    assert f"/xem {reference}" in lan.text and "/choduyet" in lan.text
    await lan.say(f"/xem {reference}")
    assert f"📄 Đề cử {reference}" in lan.text


async def test_the_desk_menu_offers_the_queue(app: App) -> None:
    await nominate(Person(app, "1001"))
    lan = await secretariat(app, "3001")
    await lan.say("/batdau")
    await lan.tap("Đề cử chờ duyệt")
    assert "Chờ xét duyệt: 1 đề cử" in lan.text
