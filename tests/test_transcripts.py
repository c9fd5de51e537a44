"""Every journey of tests/transcripts/ replayed on every messenger: the engine itself, the terminal chat,
Telegram and Zalo each show the same answers, in their own way (the format: tests.support.transcripts)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.settings import Settings
from tests.support.config import make_settings
from tests.support.telegram_chat import open_chat
from tests.support.telegram_fake import TOKEN, Updates
from tests.support.transcript_chats import NAME, EngineChat, TelegramTranscriptChat, TerminalChat, ZaloTranscriptChat
from tests.support.transcripts import TranscriptChat, journeys, load, replay, set_up
from tests.support.zalo_fake import WEBHOOK, FakeZalo, ZaloChat, ZaloPerson, running_zalo

Opened = AsyncIterator[tuple[App, TranscriptChat]]


@asynccontextmanager
async def on_engine(settings: Settings, clock: FixedClock, request: pytest.FixtureRequest) -> Opened:
    app = await build_app(settings, clock)
    try:
        yield app, EngineChat(app)
    finally:
        await app.close()


@asynccontextmanager
async def on_terminal(settings: Settings, clock: FixedClock, request: pytest.FixtureRequest) -> Opened:
    app = await build_app(settings, clock)
    chat = TerminalChat(app)
    await chat.start()
    try:
        yield app, chat
    finally:
        await chat.stop()
        await app.close()


@asynccontextmanager
async def on_telegram(settings: Settings, clock: FixedClock, request: pytest.FixtureRequest) -> Opened:
    tmp_path: Path = request.getfixturevalue("tmp_path")
    app = await build_app(make_settings(tmp_path, database_url=settings.database_url, telegram_bot_token=TOKEN), clock)
    chat = await open_chat(app, Updates(first_name=NAME))
    try:
        yield app, TelegramTranscriptChat(chat)
    finally:
        await chat.application.shutdown()
        await app.close()


@asynccontextmanager
async def on_zalo(settings: Settings, clock: FixedClock, request: pytest.FixtureRequest) -> Opened:
    tmp_path: Path = request.getfixturevalue("tmp_path")
    fake = FakeZalo()
    await fake.start()
    try:
        # The `settings` fixture has put a migrated database where the Zalo settings look for it.
        async with running_zalo(tmp_path, clock, fake, **WEBHOOK) as (app, channel):
            yield app, ZaloTranscriptChat(ZaloChat(fake, channel, ZaloPerson(name=NAME)), app.services.catalog)
    finally:
        await fake.stop()


Opener = Callable[
    [Settings, FixedClock, pytest.FixtureRequest], AbstractAsyncContextManager[tuple[App, TranscriptChat]]
]
MESSENGERS: dict[str, Opener] = {
    "engine": on_engine,
    "terminal": on_terminal,
    "telegram": on_telegram,
    "zalo": on_zalo,
}


@pytest.mark.parametrize("messenger", MESSENGERS)
@pytest.mark.parametrize("path", journeys(), ids=lambda p: p.stem)
async def test_the_journey_reads_as_its_transcript(
    path: Path, messenger: str, settings: Settings, clock: FixedClock, request: pytest.FixtureRequest
) -> None:
    journey = load(path)
    async with MESSENGERS[messenger](settings, clock, request) as (app, chat):
        await set_up(app, journey)
        await replay(app, journey, chat)


def test_there_is_a_transcript_for_each_journey_the_messengers_must_share() -> None:
    names = {p.stem for p in journeys()}
    assert {"nominate_citizen", "report_unit", "review_nomination", "language_switch", "cancel_midway", "help"} <= names
