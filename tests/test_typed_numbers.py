"""A number typed where the bot reads one: digits of any script are read, anything else is an ordinary answer,
never a failure ("²" and "①" are digits to `str.isdigit` but not numbers to `int`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.app import App, build_app
from bot.channels.telegram.runner import start_telegram, stop_telegram
from bot.clock import FixedClock
from bot.conversation.numbers import whole_number
from tests.support.chat import Person
from tests.support.config import make_settings
from tests.support.net import free_port
from tests.support.telegram_fake import FakeTelegram
from tests.support.telegram_webhook import HEADER, SECRET, webhook_settings


@given(st.text(max_size=30))
def test_any_text_is_a_number_or_none(text: str) -> None:
    number = whole_number(text)
    if text.isascii() and text.isdigit() and len(text) <= 18:
        assert number == int(text)
    elif not text.isdecimal():
        assert number is None


def test_digits_of_other_scripts_are_read_and_long_runs_are_not() -> None:
    assert (whole_number("２"), whole_number("٣٤"), whole_number("07")) == (2, 34, 7)
    assert (whole_number("²"), whole_number("①"), whole_number("-3"), whole_number(" 3"), whole_number("")) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert whole_number("9" * 5000) is None  # int() itself refuses this many digits
    assert whole_number("123", max_digits=2) is None


@pytest.mark.parametrize("typed", ["²", "①", "9" * 5000])
async def test_a_digit_that_is_no_number_at_a_choice_is_an_ordinary_answer(app: App, typed: str) -> None:
    person = Person(app)
    await person.say("/decu")
    step_one = person.text
    await person.say(typed)
    assert "Bước 1/9" in person.text and "Bước 2/9" not in person.text
    await person.say("2")
    assert "Bước 2/9" in person.text, step_one


async def test_a_full_width_digit_picks_its_choice(app: App) -> None:
    person = Person(app)
    await person.say("/decu")
    await person.say("２")
    assert "Bước 2/9" in person.text


def test_an_admin_id_of_superscript_digits_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="'12²' is not a Telegram user id"):
        make_settings(tmp_path, admin_telegram_ids="12²")


async def test_a_webhook_length_that_is_no_number_is_refused_as_too_large(tmp_path: Path, clock: FixedClock) -> None:
    port = free_port()
    app = await build_app(webhook_settings(tmp_path, port), clock)
    running = await start_telegram(app, FakeTelegram())
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = f"POST /telegram/hook HTTP/1.1\r\nHost: x\r\n{HEADER}: {SECRET}\r\nContent-Length: ".encode()
        writer.write(head + "²".encode("latin-1") + b"\r\nConnection: close\r\n\r\n")
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 10)
        writer.close()
        assert status.split()[1] == b"413"
    finally:
        await stop_telegram(app, running)
        await app.close()
