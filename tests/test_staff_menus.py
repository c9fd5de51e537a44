"""Staff get their own menu wherever the bot offers one, and /cuatoi tells the nominator their next step:
the question the secretariat asked (and how to answer it), the reason of a rejection."""

from __future__ import annotations

from bot.app import App
from bot.domain.policy import Grant, Role
from tests.support.chat import Person
from tests.support.conversations import Member, nominate, secretariat
from tests.support.roles import registered


async def test_after_a_message_not_understood_staff_get_their_own_menu(app: App) -> None:
    lan = await secretariat(app, "3001")
    await lan.say("/batdau")
    own_menu = lan.buttons
    assert "⏳ Đề cử chờ duyệt" in own_menu
    await lan.say("xin chào bot ơi")
    assert "Mình chưa hiểu ý bạn" in lan.text
    assert lan.buttons == own_menu
    await lan.say("/huy")
    assert lan.buttons == own_menu

    rep = await registered(app, "2001", Grant(role=Role.UNIT_REP, unit_code="H-LAPVO"))
    await rep.say("/batdau")
    rep_menu = rep.buttons
    await rep.say("???")
    assert rep.buttons == rep_menu and "📝" in rep_menu[0]
    # A number after the not-understood answer means what it means in their own menu.
    await rep.say("1")
    assert "báo cáo" in rep.text.lower() and "Bước 1/" in rep.text


async def test_mine_shows_the_question_with_how_to_answer_and_a_rejections_reason(app: App) -> None:
    lan = await secretariat(app, "3001")
    binh = Member(app, "1001")
    asked = await nominate(binh, "Nguyễn Văn An")
    refused = await nominate(binh, "Lê Thị Hoa")
    await lan.say(f"/xem {asked}")
    await lan.tap("Hỏi thêm")
    await lan.say("Xin gửi ảnh giấy khen của xã.")
    await lan.tap("Gửi")
    await lan.say(f"/xem {refused}")
    await lan.tap("Từ chối")
    await lan.say("Việc làm chưa có xác nhận của chính quyền địa phương.")
    await lan.tap("Gửi")

    await binh.say("/cuatoi")
    text = binh.text
    assert f"{asked} — " in text and "Cần bổ sung thông tin" in text
    assert "Sở Nội vụ hỏi: «Xin gửi ảnh giấy khen của xã.»" in text
    assert "Gõ /traloi để trả lời" in text
    assert "Không được chấp nhận" in text
    assert "Lý do: Việc làm chưa có xác nhận của chính quyền địa phương." in text
    # Once answered, the question is no longer waiting.
    await binh.say("/traloi")
    await binh.say("Tôi gửi kèm ảnh sau ạ, giấy khen năm 2025.")
    await binh.tap("Bỏ qua")
    await binh.tap("Gửi")
    await binh.say("/cuatoi")
    assert "Sở Nội vụ hỏi" not in binh.text and "/traloi" not in binh.text


async def test_a_citizen_menu_has_no_desk_work(app: App) -> None:
    citizen = Person(app, "1001")
    await citizen.say("hmm")
    assert "Mình chưa hiểu ý bạn" in citizen.text
    assert "⏳ Đề cử chờ duyệt" not in citizen.buttons and citizen.buttons[0].endswith("Đề cử người tốt, việc tốt")
