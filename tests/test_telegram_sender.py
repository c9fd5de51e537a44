"""Telegram's refusals translated for the outbox: wait, give up, or try again later."""

from __future__ import annotations

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from bot.channels.telegram.sender import TelegramSender
from bot.conversation import delivery
from bot.conversation.messages import Choice, Reply
from tests.support.faulty_messenger import MEANING, FaultyMessenger
from tests.support.telegram_fake import TOKEN, FakeTelegram


@pytest.fixture
async def sender_and_fake() -> tuple[TelegramSender, FakeTelegram]:
    fake = FakeTelegram()
    bot = Bot(TOKEN, request=fake, get_updates_request=fake)
    await bot.initialize()
    return TelegramSender(bot), fake


@pytest.mark.parametrize(
    ("status", "description", "extra", "expected"),
    [
        (429, "Too Many Requests: retry after 7", {"retry_after": 7}, delivery.RetryAfter),
        (403, "Forbidden: bot was blocked by the user", None, delivery.PermanentFailure),
        (400, "Bad Request: chat not found", None, delivery.PermanentFailure),
        (
            400,
            "Bad Request: group chat was upgraded to a supergroup chat",
            {"migrate_to_chat_id": -1001},
            delivery.PermanentFailure,
        ),
        (502, "Bad Gateway", None, delivery.TransientFailure),
    ],
)
async def test_telegram_errors_are_classified(
    sender_and_fake: tuple[TelegramSender, FakeTelegram],
    status: int,
    description: str,
    extra: dict[str, int] | None,
    expected: type[Exception],
) -> None:
    sender, fake = sender_and_fake
    fake.failures["sendMessage"] = [(status, description, extra)]
    with pytest.raises(expected) as err:
        await sender.send("42", Reply(text="Nhắc việc"))
    if isinstance(err.value, delivery.RetryAfter):
        assert err.value.seconds == 7
    await sender.send("42", Reply(text="Nhắc việc"))  # the next attempt goes through
    assert fake.texts(42) == ["Nhắc việc"]


@pytest.mark.parametrize(("fault", "expected"), MEANING)
async def test_what_may_have_arrived_is_told_from_what_certainly_did_not(fault: str, expected: type[Exception]) -> None:
    messenger = FaultyMessenger(rate=1.0, only=fault)
    bot = Bot(TOKEN, request=HTTPXRequest(httpx_kwargs={"transport": messenger.transport()}))
    try:
        with pytest.raises(delivery.DeliveryError) as raised:
            await TelegramSender(bot).send("42", Reply(text="Nhắc việc"))
    finally:
        await bot.shutdown()
    assert type(raised.value) is expected


async def test_a_proactive_message_keeps_its_buttons_and_touches_no_reply_keyboard(
    sender_and_fake: tuple[TelegramSender, FakeTelegram],
) -> None:
    sender, fake = sender_and_fake
    await sender.send("42", Reply(text="Sắp đến hạn báo cáo 6 tháng."))
    await sender.send("42", Reply(text="Báo cáo ngay?", choices=(Choice(label="Báo cáo", value="menu:report"),)))
    plain, with_button = fake.sent(42)
    assert "reply_markup" not in plain.params  # a user typing their phone number keeps the share button
    assert with_button.markup == {"inline_keyboard": [[{"text": "Báo cáo", "callback_data": "menu:report"}]]}
