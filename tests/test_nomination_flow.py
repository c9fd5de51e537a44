"""The nomination conversation as a user lives it, against a real SQLite file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.conversation.messages import Attachment, Incoming, Kind
from bot.settings import Settings
from tests.support.chat import Person
from tests.support.conversations import (
    PNG,
    answer_up_to_evidence,
    answer_up_to_nominator,
    answer_up_to_summary,
)
from tests.support.db import rows

# Each database test runs on SQLite and on PostgreSQL.
BOTH_ENGINES = True


async def test_whole_nomination_is_committed_with_a_reference(app: App) -> None:
    person = Person(app)
    await person.say("/start")
    assert "Xin chào" in person.text
    assert any("Đề cử" in b for b in person.buttons)
    await answer_up_to_summary(person)
    summary = person.text
    for expected in ("Nguyễn Văn An", "Huyện Tháp Mười", "nông thôn mới", "Trần Thị Bình", "+84912345678"):
        assert expected in summary
    await person.tap("Gửi")
    assert "NTVT-2026-000001" in person.text
    assert rows(app, "SELECT reference, nominee_name, unit_code, category_code, nominator_phone FROM nominations") == [
        ("NTVT-2026-000001", "Nguyễn Văn An", "H-THAPMUOI", "PT01", "+84912345678")
    ]
    await person.say("/cuatoi")
    assert "NTVT-2026-000001" in person.text and "28/11/2026" in person.text and "chờ xét" in person.text


async def test_references_follow_a_yearly_sequence(app: App) -> None:
    for user in ("1", "2"):
        person = Person(app, user)
        await answer_up_to_summary(person, anonymous=True)
        await person.tap("Gửi")
    assert [r[0] for r in rows(app, "SELECT reference FROM nominations ORDER BY id")] == [
        "NTVT-2026-000001",
        "NTVT-2026-000002",
    ]
    assert rows(app, "SELECT anonymous, nominator_phone FROM nominations") == [(1, None), (1, None)]


async def test_edit_from_summary_returns_to_summary(app: App) -> None:
    person = Person(app)
    await answer_up_to_summary(person)
    await person.tap("Sửa: Họ và tên")
    assert "Trả lời trước đây: Nguyễn Văn An" in person.text
    await person.say("Lê Văn Cường")
    assert "Xem lại trước khi gửi" in person.text and "Lê Văn Cường" in person.text
    await person.tap("Gửi")
    assert rows(app, "SELECT nominee_name FROM nominations") == [("Lê Văn Cường",)]


async def test_switching_to_named_from_summary_asks_for_the_phone(app: App) -> None:
    person = Person(app)
    await answer_up_to_summary(person, anonymous=True)
    await person.tap("Sửa: Người đề cử")
    await person.say("Phạm Thị Dung")
    assert "Bước 8/9" in person.text  # the phone, which anonymous nominations skip
    await person.say("0387654321")
    assert "Xem lại trước khi gửi" in person.text and "+84387654321" in person.text


async def test_back_shows_the_old_answer_and_cancel_asks_first(app: App) -> None:
    person = Person(app)
    await person.say("/decu")
    await person.tap("Tập thể")
    await person.say("Hội Nông dân xã Mỹ An")
    await person.say("/quaylai")
    assert "Bước 2/9" in person.text and "Hội Nông dân xã Mỹ An" in person.text
    await person.say("/back")
    assert "Bước 1/9" in person.text
    await person.say("/quaylai")
    assert "bước đầu tiên" in person.text
    await person.say("/huy")
    assert "Bạn có chắc muốn hủy" in person.text
    await person.tap("Không")
    assert "Bước 1/9" in person.text
    await person.say("/cancel")
    await person.tap("Có")
    assert "Đã hủy" in person.text
    assert rows(app, "SELECT COUNT(*) FROM nominations") == [(0,)]


@pytest.mark.parametrize(
    ("kind", "extra", "expected"),
    [
        (Kind.STICKER, {}, "nhãn dán"),
        (Kind.VOICE, {}, "tin nhắn thoại"),
        (Kind.LOCATION, {}, "vị trí"),
        (Kind.UNSUPPORTED, {}, "loại tin nhắn này"),
        (Kind.CONTACT, {"contact_phone": "+84912345678"}, "chưa cần số điện thoại"),
    ],
)
async def test_unexpected_kinds_get_a_kind_reask(app: App, kind: Kind, extra: dict[str, object], expected: str) -> None:
    person = Person(app)
    await person.say("/decu")
    await person.tap("Cá nhân")
    await person.send_kind(kind, **extra)
    assert expected in person.text
    assert "Bước 2/9" in person.text  # the question is asked again


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "từ 2 đến 120 ký tự"),
        ("x" * 10_000, "từ 2 đến 120 ký tự"),
        ("😀😀😀", "chữ cái"),
        ("A", "từ 2 đến 120 ký tự"),
    ],
)
async def test_bad_names_are_reasked(app: App, text: str, expected: str) -> None:
    person = Person(app)
    await person.say("/decu")
    await person.tap("Cá nhân")
    await person.say(text)
    assert expected in person.text and "Bước 2/9" in person.text


async def test_text_where_a_choice_is_needed_and_numbers_pick(app: App) -> None:
    person = Person(app)
    await person.say("/decu")
    await person.say("không biết")
    assert "chọn một trong các lựa chọn" in person.text and "Bước 1/9" in person.text
    await person.say("2")
    assert "Tên đầy đủ của tập thể" in person.text


async def test_deed_length_limits(app: App) -> None:
    person = Person(app)
    await person.say("/decu")
    await person.tap("Cá nhân")
    await person.say("Võ Thị Em")
    await person.say("sa dec")
    await person.tap("Lao động giỏi")
    await person.say("Giúp người.")
    assert "ít nhất 30 ký tự" in person.text
    await person.say("x " * 2500)
    assert "vượt quá 4000" in person.text and "Bước 5/9" in person.text


async def test_ambiguous_unit_offers_choices_and_unknown_says_so(app: App) -> None:
    person = Person(app)
    await person.say("/decu")
    await person.tap("Cá nhân")
    await person.say("Võ Thị Em")
    await person.say("cao lanh")
    assert set(person.buttons) == {"Thành phố Cao Lãnh", "Huyện Cao Lãnh"}
    await person.say("Hà Nội")
    assert "không tìm thấy" in person.text
    await person.say("huyen cao lanh")
    assert "Bước 4/9" in person.text


async def test_content_areas_one_tap_away_and_searchable(app: App) -> None:
    person = Person(app)
    await person.say("/decu")
    await person.tap("Cá nhân")
    await person.say("Võ Thị Em")
    await person.say("lai vung")
    await person.tap("19 nội dung")
    assert len(person.buttons) == 20
    await person.tap("Du lịch")
    assert "Bước 5/9" in person.text
    await person.say("/quaylai")
    await person.say("giao duc")
    assert "Bước 5/9" in person.text


async def test_evidence_files_are_checked_by_content(app: App, tmp_path: Path) -> None:
    photo = tmp_path / "anh.png"
    photo.write_bytes(PNG)
    disguised = tmp_path / "virus.pdf"
    disguised.write_bytes(b"MZ\x90\x00 not a pdf")
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.4" + b"0" * (10 * 1024 * 1024 + 1))
    person = Person(app)
    await answer_up_to_evidence(person, "Võ Thị Em", "lai vung", "Lao động giỏi")
    await person.send_file(disguised)
    assert "không phải ảnh JPG/PNG, PDF hoặc DOCX" in person.text
    await person.send_file(big)
    assert "lớn hơn 10 MB" in person.text
    await person.send_file(photo)
    assert "Đã nhận 1/5 tệp" in person.text
    await person.send_file(photo)
    assert "đã được gửi rồi" in person.text
    await person.tap("Xong")
    await person.tap("Ẩn danh")
    await person.tap("Tôi xác nhận")
    assert "1 tệp" in person.text
    await person.tap("Gửi")
    stored = rows(app, "SELECT f.mime, f.size, f.path FROM nomination_files nf JOIN files f USING (sha256)")
    assert len(stored) == 1 and stored[0][:2] == ("image/png", len(PNG))
    assert Path(str(stored[0][2])).read_bytes() == PNG


async def test_a_fresh_process_resumes_at_the_same_step(settings: Settings, clock: FixedClock) -> None:
    first = await build_app(settings, clock)
    person = Person(first)
    await person.say("/decu")
    await person.tap("Cá nhân")
    await person.say("Nguyễn Văn An")
    await person.say("thap muoi")
    await first.close()  # the process goes away; only the database file remains

    second = await build_app(settings, clock)
    try:
        person = Person(second)
        await person.say("/trogiup")
        assert "Bước 4/9" in person.text  # help, then where the draft stands
        await person.tap("Lao động giỏi")
        assert "Bước 5/9" in person.text
    finally:
        await second.close()


async def test_a_stale_draft_is_offered_not_silently_resumed(app: App, clock: FixedClock) -> None:
    person = Person(app)
    await person.say("/decu")
    await person.tap("Cá nhân")
    clock.advance(dt.timedelta(days=8))
    await person.say("Nguyễn Văn An")
    assert "đã lâu chưa hoàn thành" in person.text and "Bước 2/9" in person.text
    await person.tap("Làm tiếp")
    assert "Bước 2/9" in person.text
    await person.say("Nguyễn Văn An")
    assert "Bước 3/9" in person.text
    clock.advance(dt.timedelta(days=8))
    await person.say("sa dec")
    await person.tap("Bỏ bản nháp")
    assert "Đã bỏ bản nháp" in person.text
    await person.say("sa dec")
    assert "chưa hiểu" in person.text


async def test_old_buttons_and_unknown_commands_are_answered(app: App) -> None:
    person = Person(app)
    await person.say("/decu")
    first_step = list(person.last)
    await person.tap("Cá nhân")
    person.last = first_step
    await person.tap("Tập thể")  # pressing a button of an older message
    assert "tin nhắn cũ" in person.text and "Bước 2/9" in person.text
    await person.say("/khongco")
    assert "/khongco" in person.text


async def test_english_is_remembered(app: App) -> None:
    person = Person(app)
    await person.say("/lang")
    await person.tap("English")
    assert "Switched to English" in person.text
    await person.say("/nominate")
    assert "Step 1/9" in person.text and "individual or a collective" in person.text


async def test_the_same_update_twice_is_handled_once(app: App) -> None:
    person = Person(app)
    await person.say("/decu")
    update = Incoming(channel="console", user_id="1001", chat_id="1001", kind=Kind.TEXT, text="2", update_key="77")
    first = await person.send(update)
    second = await person.send(update)
    assert first and "Bước 2/9" in first[-1].text
    assert second == []


class CountedFiles:
    """A messenger's file download, counted: the one boundary this test needs to see through."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.fetched: list[str] = []

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        self.fetched.append(attachment.ref)
        return self.data


async def test_a_file_update_delivered_again_is_not_downloaded_again(app: App) -> None:
    person = Person(app)
    await answer_up_to_evidence(person)
    files = CountedFiles(PNG)
    photo = Attachment(ref="photo-1", name="anh.png", size=len(PNG))
    update = Incoming(
        channel="console", user_id="1001", chat_id="1001", kind=Kind.FILE, attachments=(photo,), update_key="f1"
    )
    first = await app.engine.handle(update, files)
    second = await app.engine.handle(update, files)
    assert "Đã nhận 1/5 tệp" in first[0].text
    assert second == []
    assert files.fetched == ["photo-1"]
    person.last = first
    await person.tap("Xong")
    await person.say("Trần Thị Bình")
    await person.say("0912 345 678")
    await person.tap("Tôi xác nhận")
    assert "Minh chứng: 1 tệp" in person.text


async def test_commands_typed_with_accents_are_understood(app: App) -> None:
    person = Person(app)
    await person.say("/đề_cử")
    assert "Bước 1/9" in person.text
    await person.say("/Hủy")
    assert "Bạn có chắc muốn hủy" in person.text
    await person.tap("Có")
    assert "Đã hủy" in person.text


async def test_someone_elses_contact_card_is_not_taken_as_the_nominators_phone(app: App) -> None:
    person = Person(app)
    await answer_up_to_nominator(person)
    await person.say("Trần Thị Bình")
    assert "Bước 8/9" in person.text
    await person.send_kind(Kind.CONTACT, contact_phone="+84987654321", contact_is_own=False)
    assert "danh bạ của người khác" in person.text and "Bước 8/9" in person.text
    await person.send_kind(Kind.CONTACT, contact_phone="+84912345678", contact_is_own=True)
    assert "Bước 9/9" in person.text


async def test_switching_language_by_argument_mid_draft_asks_the_step_again(app: App) -> None:
    person = Person(app)
    await person.say("/decu")
    await person.say("/lang en")
    assert "Step 1/9" in person.text and person.buttons == ["👤 Individual", "👥 Collective"]
    await person.say("2")
    assert "Step 2/9" in person.text


async def test_help_lists_the_desks_commands_only_to_the_desk(app: App) -> None:
    from bot.domain.policy import Grant, Role
    from tests.support.roles import registered

    citizen = Person(app, "3001")
    await citizen.say("/trogiup")
    assert "/decu" in citizen.text and "/baocao" in citizen.text
    assert "/moi" not in citizen.text and "/thongbao" not in citizen.text and "/xuat" not in citizen.text
    office = await registered(app, "9001", Grant(role=Role.SECRETARIAT))
    await office.say("/trogiup")
    assert all(word in office.text for word in ("/moi", "/tonghop", "/thongbao", "/xuat"))


async def test_start_offers_the_desks_work_to_the_desk(app: App) -> None:
    from bot.domain.policy import Grant, Role
    from tests.support.roles import registered

    citizen = Person(app, "3001")
    await citizen.say("/start")
    assert not any("Tổng hợp" in label or "thông báo" in label for label in citizen.buttons)
    office = await registered(app, "9001", Grant(role=Role.SECRETARIAT))
    await office.say("/start")
    assert {"🗂 Tổng hợp ngay", "📢 Gửi thông báo", "📥 Xuất tệp Excel/Word"} <= set(office.buttons)
    await office.tap("Gửi thông báo")
    assert "Bước 1/" in office.text and "nội dung thông báo" in office.text


async def test_a_name_matching_too_many_units_asks_for_more(app: App) -> None:
    person = Person(app)
    await person.say("/decu")
    await person.tap("Cá nhân")
    await person.say("Võ Thị Em")
    await person.say("huyện")
    assert "Có 9 nơi khớp, nhiều quá để liệt kê" in person.text and "Bước 3/9" in person.text
    assert person.buttons == []
