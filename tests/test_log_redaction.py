"""Logs at DEBUG through a whole Telegram conversation: no bot token, webhook secret or phone number in any
record, and no one's words, unless an operator turns message tracing on."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import logredact
from bot.app import build_app
from bot.clock import FixedClock
from tests.support.config import make_settings
from tests.support.telegram_chat import DEED, nominate_up_to_evidence, open_chat
from tests.support.telegram_fake import TOKEN

SECRET = "webhook-secret-0123456789"
PHONES = ("84912345678", "0912 345 678", "0912345678", "912345678", "0987654321")


@pytest.fixture
def restored() -> Iterator[None]:
    yield
    logredact.uninstall()


async def converse(tmp_path: Path, clock: FixedClock) -> None:
    settings = make_settings(tmp_path, telegram_bot_token=TOKEN, telegram_webhook_secret=SECRET)
    app = await build_app(settings, clock)
    tg = await open_chat(app)
    try:
        await nominate_up_to_evidence(tg)
        await tg.press("Bỏ qua")
        await tg.say("Lê Thị Bảy")
        await tg.say("0912 345 678")
        await tg.say("/quaylai")
        await tg.feed(tg.updates.contact("84912345678"))
        await tg.press("Tôi xác nhận")
        out = await tg.press("Gửi")
        assert "NTVT-2026-000001" in out[0]
        # A failure with the token in its message, logged with its traceback.
        try:
            raise RuntimeError(f"https://api.telegram.org/bot{TOKEN}/sendMessage refused 0987654321 ({SECRET})")
        except RuntimeError:
            logging.getLogger("bot.test").exception("sending failed")
        # What a library says at INFO and above still passes, blotted: a URL with the token, a number.
        logging.getLogger("telegram.ext.Updater").warning("retrying %s for %s", f"/bot{TOKEN}/getUpdates", "0912345678")
    finally:
        await tg.application.shutdown()
        await app.close()


async def test_no_secret_phone_or_words_at_debug(
    tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture, restored: None
) -> None:
    logredact.install([TOKEN, SECRET], tracing=False)
    caplog.set_level(logging.DEBUG)
    await converse(tmp_path, clock)
    logged = caplog.text
    assert "sending failed" in logged and "Traceback" in logged and "retrying /bot<secret>/getUpdates" in logged
    # The libraries that dump whole Bot API calls and database values at DEBUG are held at INFO.
    assert logging.getLogger("telegram.ext.ExtBot").getEffectiveLevel() == logging.INFO
    assert logging.getLogger("aiosqlite").getEffectiveLevel() == logging.INFO
    assert logredact.SECRET in logged and logredact.PHONE in logged
    for leak in (TOKEN, TOKEN.split(":")[1], SECRET, *PHONES, DEED, "Huỳnh Văn Sáu", "Lê Thị Bảy"):
        assert leak not in logged, leak


async def test_message_tracing_shows_words_and_numbers_but_never_secrets(
    tmp_path: Path, clock: FixedClock, caplog: pytest.LogCaptureFixture, restored: None
) -> None:
    logredact.install([TOKEN, SECRET], tracing=True)
    caplog.set_level(logging.DEBUG)
    await converse(tmp_path, clock)
    logged = caplog.text
    assert len(caplog.records) > 50  # every Bot API call and database step, at DEBUG
    # What the operator asked for: the conversation's words (in the Bot API calls) and numbers.
    assert "Huỳnh Văn Sáu" in logged and "0987654321" in logged
    assert TOKEN not in logged and SECRET not in logged
