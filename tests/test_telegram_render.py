"""How replies look on Telegram and how Telegram messages are read, at the Bot API's level."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot

from bot.channels.telegram.mapping import split_command, to_incoming
from bot.channels.telegram.render import send_reply
from bot.conversation.messages import Choice, Kind, OutgoingFile, Reply
from bot.domain.message_size import utf16_length
from tests.support.telegram_fake import TOKEN, FakeTelegram, Updates, as_update


@pytest.fixture
async def bot_and_fake() -> AsyncIterator[tuple[Bot, FakeTelegram]]:
    fake = FakeTelegram()
    bot = Bot(TOKEN, request=fake, get_updates_request=fake)
    await bot.initialize()
    yield bot, fake
    await bot.shutdown()


async def test_a_long_reply_is_split_at_lines_and_the_buttons_ride_on_the_last_part(
    bot_and_fake: tuple[Bot, FakeTelegram],
) -> None:
    bot, fake = bot_and_fake
    text = "\n".join(f"{i}. Đơn vị số {i}: " + "đã nộp báo cáo đúng hạn " * 4 for i in range(1, 101))
    assert len(text) > 2 * 4096
    await send_reply(bot, 42, Reply(text=text, choices=(Choice(label="Tải về", value="status:export"),)))
    sent = fake.sent(42)
    assert len(sent) == 3 and all(len(c.params["text"]) <= 4096 for c in sent)
    assert "\n".join(c.params["text"] for c in sent) == text  # cut between lines, nothing lost
    assert [c.buttons for c in sent] == [[], [], ["Tải về"]]


async def test_emoji_count_double_against_the_limit(bot_and_fake: tuple[Bot, FakeTelegram]) -> None:
    bot, fake = bot_and_fake
    text = "\n".join("🎉" * 60 for _ in range(60))  # 3,659 characters but 7,259 UTF-16 units
    await send_reply(bot, 42, Reply(text=text))
    parts = [c.params["text"] for c in fake.sent(42)]
    assert len(parts) == 2 and all(utf16_length(p) <= 4096 for p in parts)
    assert "\n".join(parts) == text


async def test_choices_are_laid_out_in_columns(bot_and_fake: tuple[Bot, FakeTelegram]) -> None:
    bot, fake = bot_and_fake
    choices = tuple(Choice(label=f"Huyện {i}", value=f"unit:{i}") for i in range(5))
    await send_reply(bot, 42, Reply(text="Chọn huyện", choices=choices, columns=2))
    rows = fake.sent(42)[0].markup["inline_keyboard"]
    assert [[b["callback_data"] for b in row] for row in rows] == [
        ["unit:0", "unit:1"],
        ["unit:2", "unit:3"],
        ["unit:4"],
    ]


async def test_files_go_as_documents_or_photos_with_the_text_as_caption_when_it_fits(
    bot_and_fake: tuple[Bot, FakeTelegram], tmp_path: Path
) -> None:
    bot, fake = bot_and_fake
    sheet = tmp_path / "tinh-trang.csv"
    sheet.write_bytes("Đơn vị;Trạng thái\nTháp Mười;đã nộp\n".encode())
    chart = tmp_path / "chart.png"
    chart.write_bytes(b"\x89PNG\r\n\x1a\nfake")
    as_document = OutgoingFile(path=sheet, filename="tinh-trang-2026.csv", mime="text/csv")
    await send_reply(bot, 42, Reply(text="Tình trạng báo cáo", file=as_document))
    await send_reply(
        bot,
        42,
        Reply(text="x" * 2000, file=OutgoingFile(path=chart, filename="c.png", mime="image/png", as_photo=True)),
    )
    document, photo, long_text = fake.sent(42)
    assert document.method == "sendDocument" and document.params["caption"] == "Tình trạng báo cáo"
    assert document.uploads["document"] == sheet.read_bytes()
    assert (
        photo.method == "sendPhoto" and "caption" not in photo.params and photo.uploads["photo"] == chart.read_bytes()
    )
    assert long_text.method == "sendMessage" and long_text.params["text"] == "x" * 2000


async def test_a_step_with_buttons_that_also_takes_a_phone_gets_both_keyboards(
    bot_and_fake: tuple[Bot, FakeTelegram],
) -> None:
    bot, fake = bot_and_fake
    reply = Reply(
        text="Số điện thoại?",
        choices=(Choice(label="Bỏ qua", value="x:skip"),),
        request_contact=True,
        request_contact_label="📱 Chia sẻ",
    )
    await send_reply(bot, 42, reply)
    question, share = fake.sent(42)
    assert question.buttons == ["Bỏ qua"]
    assert share.params["text"] == "📱 Chia sẻ" and share.markup["keyboard"][0][0]["request_contact"] is True


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/decu", ("decu", "", "")),
        ("/decu@thidua_bot", ("decu", "thidua_bot", "")),
        ("/dangky@thidua_bot  MA-123 ", ("dangky", "thidua_bot", "MA-123")),
        ("/dangky\nMA-123", ("dangky", "", "MA-123")),
        ("/hủy", ("hủy", "", "")),
        ("/ 5", None),
        ("//comment", None),
        ("1/2 số hộ", None),
    ],
)
def test_what_counts_as_a_command(text: str, expected: tuple[str, str, str] | None) -> None:
    assert split_command(text) == expected


async def test_updates_become_incoming(bot_and_fake: tuple[Bot, FakeTelegram]) -> None:
    bot, _ = bot_and_fake
    person = Updates(user_id=77, first_name="Nguyễn", last_name="Văn An")
    photo = to_incoming(as_update(person.photo("p1", 5000), bot))
    assert photo is not None and photo.kind is Kind.FILE and photo.display_name == "Nguyễn Văn An"
    assert photo.chat_id == "77" and photo.user_id == "77" and photo.update_key is not None
    (attachment,) = photo.attachments
    assert (attachment.ref, attachment.size, attachment.mime) == ("p1", 5000, "image/jpeg")

    document = to_incoming(as_update(person.document("d1", "ho so.pdf", "application/pdf", 1234), bot))
    assert document is not None and document.attachments[0].name == "ho so.pdf"

    someone_else = to_incoming(as_update(person.contact("+84912345678", own=False), bot))
    own = to_incoming(as_update(person.contact("+84912345678"), bot))
    assert someone_else is not None and someone_else.kind is Kind.CONTACT and someone_else.contact_is_own is False
    assert own is not None and own.contact_is_own is True and own.contact_phone == "+84912345678"

    press = to_incoming(as_update(person.press("nominate:kind:individual"), bot))
    assert press is not None and press.kind is Kind.CHOICE and press.choice == "nominate:kind:individual"

    kinds = [
        to_incoming(as_update(u, bot)) for u in (person.sticker(), person.voice(), person.location(), person.dice())
    ]
    assert [i.kind for i in kinds if i is not None] == [Kind.STICKER, Kind.VOICE, Kind.LOCATION, Kind.UNSUPPORTED]


async def test_nothing_to_answer_in_a_pin_or_a_group(bot_and_fake: tuple[Bot, FakeTelegram]) -> None:
    bot, _ = bot_and_fake
    person = Updates(user_id=77)
    pinned = {"message_id": 5, "date": 0, "chat": person.chat, "text": "Bước 3/9"}
    assert to_incoming(as_update(person.message(pinned_message=pinned), bot)) is None
    group = {"id": -100200, "type": "supergroup", "title": "Cụm thi đua số 1"}
    assert to_incoming(as_update(person.text("/decu", chat=group), bot)) is None
