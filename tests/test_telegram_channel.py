"""Conversations through the real python-telegram-bot Application, on a fake HTTP layer and a real SQLite file."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import unquote

import pytest

from bot.app import build_app
from bot.clock import FixedClock
from bot.settings import Settings
from tests.support.db import db_rows
from tests.support.telegram_chat import DEED, PNG, TelegramChat, nominate_up_to_evidence, open_chat
from tests.support.telegram_fake import TOKEN, Updates

REMOVE = {"remove_keyboard": True}


@pytest.fixture
async def tg(tg_settings: Settings, clock: FixedClock) -> AsyncIterator[TelegramChat]:
    app = await build_app(tg_settings, clock)
    chat = await open_chat(app)
    try:
        yield chat
    finally:
        await chat.application.shutdown()
        await app.close()


async def test_a_whole_nomination_on_telegram(tg: TelegramChat, tg_settings: Settings) -> None:
    out = await tg.say("/start")
    assert "Xin chào Lan!" in out[0]
    assert any("Đề cử" in label for label in tg.last_keyboard().buttons)

    await tg.say("/decu")
    kind_step = tg.last_keyboard()
    assert kind_step.markup["inline_keyboard"] == [
        [
            {"text": "👤 Cá nhân", "callback_data": "nominate:kind:individual"},
            {"text": "👥 Tập thể", "callback_data": "nominate:kind:collective"},
        ]
    ]
    await tg.press("Cá nhân")
    await tg.say("Huỳnh Văn Sáu")
    await tg.say("thap muoi")
    await tg.press("chuyển đổi số")
    await tg.say(DEED)

    tg.fake.files["photo-big"] = PNG
    out = await tg.feed(tg.updates.photo("photo-big", len(PNG)))
    assert "Đã nhận 1/5 tệp" in out[-1]
    await tg.press("Xong")
    out = await tg.say("Lê Thị Bảy")
    assert "Bước 8/9" in out[-1]
    keyboard = tg.sent()[-1].markup
    assert keyboard["keyboard"] == [[{"text": "📱 Chia sẻ số điện thoại của tôi", "request_contact": True}]]
    assert keyboard["one_time_keyboard"] is True

    out = await tg.feed(tg.updates.contact("84912345678"))
    assert out[0] == "Đã lưu: +84912345678"
    assert tg.sent()[-2].markup == REMOVE  # the share-my-phone keyboard goes away with the note
    assert "Bước 9/9" in out[1]
    await tg.press("Tôi xác nhận")
    summary = tg.fake.texts(tg.chat_id)[-1]
    assert "Huỳnh Văn Sáu" in summary and "1 tệp" in summary and "+84912345678" in summary
    out = await tg.press("Gửi")
    assert "NTVT-2026-000001" in out[0]

    assert db_rows(tg_settings, "SELECT reference, channel, nominee_name, nominator_phone FROM nominations") == [
        ("NTVT-2026-000001", "telegram", "Huỳnh Văn Sáu", "+84912345678")
    ]
    ((sha, size, path),) = db_rows(tg_settings, "SELECT sha256, size, path FROM files")
    assert sha == hashlib.sha256(PNG).hexdigest() and size == len(PNG)
    assert Path(path).read_bytes() == PNG and Path(path).is_relative_to(tg_settings.data_dir)
    # The photo was fetched once, in its largest size, through the Bot API's file URL.
    assert [c.params["file_id"] for c in tg.fake.of("getFile")] == ["photo-big"]
    assert [unquote(url) for url in tg.fake.downloads] == [f"https://api.telegram.org/file/bot{TOKEN}/photo-big"]
    # Every press was answered, and each pressed message lost its buttons.
    presses = 5
    assert len(tg.fake.of("answerCallbackQuery")) == presses
    cleared = tg.fake.of("editMessageReplyMarkup")
    assert len(cleared) == presses and all("reply_markup" not in c.params for c in cleared)
    assert cleared[0].params["message_id"] == kind_step.result["message_id"]


async def test_edit_back_and_cancel_on_telegram(tg: TelegramChat, tg_settings: Settings) -> None:
    await nominate_up_to_evidence(tg)
    await tg.press("Bỏ qua")
    await tg.press("Ẩn danh")
    await tg.press("Tôi xác nhận")
    out = await tg.press("Sửa: Đơn vị")
    assert "Trả lời trước đây: Huyện Tháp Mười" in out[-1]
    out = await tg.say("lap vo")
    assert "Xem lại trước khi gửi" in out[-1] and "Huyện Lấp Vò" in out[-1]
    out = await tg.say("/quaylai")
    assert "Bước 8/8" in out[-1]
    await tg.say("/huy")
    out = await tg.press("Có, hủy")
    assert "Đã hủy bản nháp" in out[-1]
    assert db_rows(tg_settings, "SELECT COUNT(*) FROM nominations") == [(0,)]


async def test_the_phone_keyboard_goes_away_when_the_user_steps_back(tg: TelegramChat) -> None:
    await nominate_up_to_evidence(tg)
    await tg.press("Bỏ qua")
    await tg.say("Lê Thị Bảy")
    assert "keyboard" in tg.sent()[-1].markup

    # Back to the nominator question, whose only message carries an inline button: it goes out taking the
    # reply keyboard away, and gets its button by an edit.
    out = await tg.say("/quaylai")
    assert len(out) == 1 and "Bước 7/9" in out[0]
    back = tg.sent()[-1]
    assert back.markup == REMOVE
    (edit,) = [c for c in tg.fake.of("editMessageReplyMarkup") if c.params["message_id"] == back.result["message_id"]]
    assert [b["text"] for row in edit.params["reply_markup"]["inline_keyboard"] for b in row] == ["🙈 Ẩn danh"]

    # Once removed, it is not removed again by edits.
    edits = len(tg.fake.of("editMessageReplyMarkup"))
    await tg.say("/trogiup")
    assert len(tg.fake.of("editMessageReplyMarkup")) == edits


async def test_the_same_update_twice_is_answered_once(tg: TelegramChat, tg_settings: Settings) -> None:
    update = tg.updates.text("/start")
    first = await tg.feed(update)
    second = await tg.feed(update)
    assert len(first) == 1 and second == []

    await tg.say("/decu")
    press = tg.updates.press("nominate:kind:collective", on=tg.last_keyboard())
    first = await tg.feed(press)
    second = await tg.feed(press)
    assert "Bước 2/9" in first[-1] and second == []
    assert len(tg.fake.of("editMessageReplyMarkup")) == 1
    assert db_rows(tg_settings, "SELECT COUNT(*) FROM processed_updates WHERE channel = 'telegram'") == [(3,)]


@pytest.mark.parametrize(
    ("update_name", "expected"),
    [
        ("sticker", "nhãn dán"),
        ("voice", "tin nhắn thoại"),
        ("location", "vị trí bản đồ"),
        ("video", "chưa đọc được loại tin nhắn này"),
        ("dice", "chưa đọc được loại tin nhắn này"),
    ],
)
async def test_what_the_bot_cannot_read_gets_a_kind_answer(tg: TelegramChat, update_name: str, expected: str) -> None:
    await tg.say("/decu")
    out = await tg.feed(getattr(tg.updates, update_name)())
    assert len(out) == 1 and expected in out[0] and "Bước 1/9" in out[0]
    assert tg.sent()[-1].buttons == ["👤 Cá nhân", "👥 Tập thể"]


async def test_a_huge_message_and_wrong_files(tg: TelegramChat) -> None:
    await tg.say("/decu")
    await tg.press("Cá nhân")
    out = await tg.say("a" * 10_000)
    assert "từ 2 đến 120 ký tự" in out[0] and "10000" in out[0]
    await tg.say("Huỳnh Văn Sáu")
    await tg.say("sa dec")
    await tg.press("Lao động giỏi")
    out = await tg.say("Chị Hai " * 1250)
    assert "vượt quá 4000" in out[0] and "Bước 5/9" in out[-1]
    await tg.say(DEED)
    tg.fake.files["doc1"] = b"MZ\x90\x00 pretending"
    out = await tg.feed(tg.updates.document("doc1", "hoso.pdf", "application/pdf", 15))
    assert "không phải ảnh JPG/PNG, PDF hoặc DOCX" in out[0]
    out = await tg.feed(tg.updates.document("doc2", "big.pdf", "application/pdf", 30 * 1024 * 1024))
    assert "lớn hơn 10 MB" in out[0]
    # A photo whose size Telegram left out: getFile tells it, and the download is skipped.
    tg.fake.files["photo-huge"] = b"\xff\xd8\xff" + bytes(11 * 1024 * 1024)
    out = await tg.feed(tg.updates.photo("photo-huge", None))
    assert "lớn hơn 10 MB" in out[0]
    assert [c.params["file_id"] for c in tg.fake.of("getFile")] == ["doc1", "photo-huge"]
    assert len(tg.fake.downloads) == 1


async def test_a_button_from_an_old_message(tg: TelegramChat) -> None:
    await tg.say("/decu")
    first_step = tg.last_keyboard()
    await tg.press("Cá nhân")
    out = await tg.press("Tập thể", on=first_step)
    assert "tin nhắn cũ" in out[0] and "Bước 2/9" in out[-1]


async def test_commands_addressed_to_the_bot_and_with_arguments(tg: TelegramChat) -> None:
    out = await tg.say("/decu@thidua_bot")
    assert "Bước 1/9" in out[-1]
    out = await tg.say("/HUY")
    assert out == ["Bạn có chắc muốn hủy? Mọi câu trả lời của bản nháp này sẽ bị bỏ."]
    out = await tg.say("/dangky    ABC123\n")
    assert out[0].startswith("Mã mời này không dùng được")  # the code reached /dangky as its argument


async def test_a_fresh_process_continues_the_telegram_conversation(tg_settings: Settings, clock: FixedClock) -> None:
    updates = Updates(user_id=7007, first_name="Tám", last_name="Đoàn")
    app = await build_app(tg_settings, clock)
    chat = await open_chat(app, updates)
    await chat.say("/decu")
    await chat.press("Cá nhân")
    out = await chat.say("Đoàn Văn Tám")
    assert "Bước 3/9" in out[-1]
    pending = chat.last_keyboard() if any("inline_keyboard" in c.markup for c in chat.sent()) else None
    await chat.application.shutdown()
    await app.close()

    app = await build_app(tg_settings, clock)
    chat = await open_chat(app, updates)
    try:
        out = await chat.say("chau thanh")
        assert "Bước 4/9" in out[-1]
        # A button sent before the restart still means what it meant.
        assert pending is not None
        out = await chat.press("Tập thể", on=pending)
        assert "tin nhắn cũ" in out[0] and "Bước 4/9" in out[-1]
    finally:
        await chat.application.shutdown()
        await app.close()
    assert db_rows(tg_settings, "SELECT display_name FROM users WHERE channel = 'telegram'") == [("Tám Đoàn",)]
