"""Conversations through the real python-telegram-bot Application, on a fake HTTP layer and a real SQLite file."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_app
from bot.channels.telegram.application import TelegramApp, build_application
from bot.clock import FixedClock
from bot.settings import Settings
from tests.conftest import make_settings
from tests.telegram_fake import TOKEN, Call, FakeTelegram, Updates, as_update

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
DEED = "Anh đã cứu hai em nhỏ bị đuối nước trên sông Tiền chiều ngày 12 tháng 7 vừa qua."


class TelegramChat:
    def __init__(self, application: TelegramApp, fake: FakeTelegram, updates: Updates) -> None:
        self.application = application
        self.fake = fake
        self.updates = updates
        self.chat_id = updates.user_id

    async def feed(self, data: dict[str, Any]) -> list[str]:
        before = len(self.fake.sent(self.chat_id))
        await self.application.process_update(as_update(data, self.application.bot))
        return self.fake.texts(self.chat_id)[before:]

    async def say(self, text: str) -> list[str]:
        return await self.feed(self.updates.text(text))

    def last_keyboard(self) -> Call:
        return next(
            c
            for c in reversed(self.fake.sent(self.chat_id))
            if "inline_keyboard" in (c.params.get("reply_markup") or {})
        )

    async def press(self, label_part: str, call: Call | None = None) -> list[str]:
        message = call or self.last_keyboard()
        rows = message.params["reply_markup"]["inline_keyboard"]
        buttons = [b for row in rows for b in row if label_part in b["text"]]
        assert len(buttons) == 1, f"{label_part!r} not a single button of {rows}"
        return await self.feed(self.updates.press(buttons[0]["callback_data"], str(message.params["text"]), rows))


@pytest.fixture
def tg_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, telegram_bot_token=TOKEN)


@pytest.fixture
async def tg(tg_settings: Settings, clock: FixedClock) -> AsyncIterator[TelegramChat]:
    app = await build_app(tg_settings, clock)
    fake = FakeTelegram()
    application = build_application(app, fake)
    await application.initialize()
    try:
        yield TelegramChat(application, fake, Updates())
    finally:
        await application.shutdown()
        await app.close()


def db_rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(settings.database_url.removeprefix("sqlite:///")) as conn:
        return conn.execute(sql).fetchall()


async def nominate_up_to_evidence(tg: TelegramChat) -> None:
    await tg.say("/decu")
    await tg.press("Cá nhân")
    await tg.say("Huỳnh Văn Sáu")
    await tg.say("thap muoi")
    await tg.press("chuyển đổi số")
    out = await tg.say(DEED)
    assert "Bước 6/9" in out[-1]


async def test_a_whole_nomination_on_telegram(tg: TelegramChat, tg_settings: Settings) -> None:
    out = await tg.say("/start")
    assert "Xin chào Lan!" in out[0]
    menu = tg.last_keyboard().params["reply_markup"]["inline_keyboard"]
    assert any("Đề cử" in b["text"] for row in menu for b in row)

    await nominate_up_to_evidence(tg)
    tg.fake.files["photo-big"] = PNG
    out = await tg.feed(tg.updates.photo("photo-big", len(PNG)))
    assert "Đã nhận 1/5 tệp" in out[-1]
    await tg.press("Xong")
    out = await tg.say("Lê Thị Bảy")
    assert "Bước 8/9" in out[-1]
    phone_prompt = tg.fake.sent(tg.chat_id)[-1]
    keyboard = phone_prompt.params["reply_markup"]["keyboard"]
    assert keyboard[0][0]["request_contact"] is True and "Chia sẻ số điện thoại" in keyboard[0][0]["text"]

    out = await tg.feed(tg.updates.contact("84912345678"))
    assert out[0] == "Đã lưu: +84912345678"
    assert tg.fake.sent(tg.chat_id)[-2].params["reply_markup"] == {"remove_keyboard": True}
    await tg.press("Tôi xác nhận")
    summary = tg.fake.texts(tg.chat_id)[-1]
    assert "Huỳnh Văn Sáu" in summary and "1 tệp" in summary and "+84912345678" in summary
    out = await tg.press("Gửi")
    assert "NTVT-2026-000001" in out[0]

    assert db_rows(tg_settings, "SELECT reference, channel, nominator_phone FROM nominations") == [
        ("NTVT-2026-000001", "telegram", "+84912345678")
    ]
    (sha, size) = db_rows(tg_settings, "SELECT f.sha256, f.size FROM files f")[0]
    assert sha == hashlib.sha256(PNG).hexdigest() and size == len(PNG)
    # The photo was fetched in its largest size.
    assert [c.params["file_id"] for c in tg.fake.calls if c.method == "getFile"] == ["photo-big"]


async def test_pressed_buttons_are_marked_and_removed(tg: TelegramChat) -> None:
    await tg.say("/decu")
    await tg.press("Tập thể")
    edits = [c for c in tg.fake.calls if c.method == "editMessageText"]
    assert edits and edits[-1].params["text"].endswith("➜ 👥 Tập thể")
    assert "reply_markup" not in edits[-1].params
    assert any(c.method == "answerCallbackQuery" for c in tg.fake.calls)


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


async def test_the_same_update_twice_is_answered_once(tg: TelegramChat) -> None:
    update = tg.updates.text("/start")
    first = await tg.feed(update)
    second = await tg.feed(update)
    assert len(first) == 1 and second == []


@pytest.mark.parametrize(
    ("update_name", "expected"),
    [("sticker", "nhãn dán"), ("voice", "tin nhắn thoại"), ("location", "vị trí bản đồ")],
)
async def test_unreadable_messages_get_a_kind_answer(tg: TelegramChat, update_name: str, expected: str) -> None:
    await tg.say("/decu")
    out = await tg.feed(getattr(tg.updates, update_name)())
    assert expected in out[0] and "Bước 1/9" in out[-1]


async def test_a_huge_message_and_a_wrong_document(tg: TelegramChat) -> None:
    await tg.say("/decu")
    await tg.press("Cá nhân")
    out = await tg.say("a" * 10_000)
    assert "từ 2 đến 120 ký tự" in out[0]
    await tg.say("Huỳnh Văn Sáu")
    await tg.say("sa dec")
    await tg.press("Lao động giỏi")
    await tg.say(DEED)
    tg.fake.files["doc1"] = b"MZ\x90\x00 pretending"
    out = await tg.feed(tg.updates.document("doc1", "hoso.pdf", "application/pdf", 15))
    assert "không phải ảnh JPG/PNG, PDF hoặc DOCX" in out[0]
    out = await tg.feed(tg.updates.document("doc2", "big.pdf", "application/pdf", 30 * 1024 * 1024))
    assert "lớn hơn 10 MB" in out[0]
    assert [c.params["file_id"] for c in tg.fake.calls if c.method == "getFile"] == ["doc1"]  # never downloads big


async def test_a_button_from_an_old_message(tg: TelegramChat) -> None:
    await tg.say("/decu")
    first_step = tg.last_keyboard()
    await tg.press("Cá nhân")
    out = await tg.press("Tập thể", call=first_step)
    assert "tin nhắn cũ" in out[0] and "Bước 2/9" in out[-1]


async def test_long_replies_are_split_at_lines(tg: TelegramChat, tg_settings: Settings) -> None:
    from bot.channels.telegram.render import send_reply
    from bot.engine.messages import Choice, Reply

    text = "\n".join(f"Dòng {i}: " + "x" * 90 for i in range(100))
    await send_reply(tg.application.bot, tg.chat_id, Reply(text=text, choices=(Choice(label="A", value="a"),)))
    sent = tg.fake.sent(tg.chat_id)
    assert len(sent) == 3 and all(len(c.params["text"]) <= 4096 for c in sent)
    assert "\n".join(c.params["text"] for c in sent) == text
    assert "reply_markup" not in sent[0].params and "inline_keyboard" in sent[-1].params["reply_markup"]


async def test_the_command_menu_is_set_in_both_languages(tg: TelegramChat) -> None:
    await tg.application.post_init(tg.application)  # type: ignore[misc]
    menus = {c.params.get("language_code"): c.params["commands"] for c in tg.fake.calls if c.method == "setMyCommands"}
    assert {"decu", "cuatoi", "trogiup", "huy", "quaylai"} <= {c["command"] for c in menus["vi"]}
    assert {"nominate", "mine", "help", "cancel", "back"} <= {c["command"] for c in menus["en"]}
    assert menus[None] == menus["vi"]
    assert (
        next(c["description"] for c in menus["en"] if c["command"] == "nominate")
        == "nominate a good person or good deed"
    )


async def test_a_fresh_process_continues_the_telegram_conversation(tg_settings: Settings, clock: FixedClock) -> None:
    updates = Updates(user_id=7007)
    for round_ in range(2):
        app = await build_app(tg_settings, clock)
        fake = FakeTelegram()
        application = build_application(app, fake)
        await application.initialize()
        chat = TelegramChat(application, fake, updates)
        try:
            if round_ == 0:
                await chat.say("/decu")
                await chat.press("Cá nhân")
                out = await chat.say("Đoàn Văn Tám")
                assert "Bước 3/9" in out[-1]
            else:
                out = await chat.say("chau thanh")
                assert "Bước 4/9" in out[-1]
        finally:
            await application.shutdown()
            await app.close()
