"""Telegram's refusals translated for the outbox: wait, give up, or try again later."""

from __future__ import annotations

import pytest
from telegram import Bot

from bot.channels.telegram.sender import TelegramSender
from bot.engine import delivery
from bot.engine.messages import Reply
from tests.telegram_fake import TOKEN, FakeTelegram


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
        (502, "Bad Gateway", None, delivery.TransientFailure),
    ],
)
async def test_errors_are_classified(
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
