"""Someone who picks a language in the bot gets the command menu of their own chat in it, as the engine
reports the change with its replies; nobody else's menu changes."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, build_app
from bot.channels.registry import CHANNELS
from bot.channels.telegram.runner import start_telegram, stop_telegram
from bot.clock import FixedClock
from tests.support.config import make_settings
from tests.support.net import wait_for
from tests.support.telegram_fake import TOKEN, FakeTelegram, Updates


@pytest.fixture
async def tg_app(tmp_path: Path, clock: FixedClock) -> AsyncIterator[App]:
    app = await build_app(make_settings(tmp_path, telegram_bot_token=TOKEN), clock, CHANNELS)
    try:
        yield app
    finally:
        await app.close()


def chat_menus(fake: FakeTelegram) -> list[tuple[Any, list[str]]]:
    """(chat id, command names) of each menu set for one chat."""
    menus = []
    for call in fake.of("setMyCommands"):
        scope = call.params.get("scope")
        scope = json.loads(scope) if isinstance(scope, str) else scope
        if scope and scope.get("type") == "chat":
            commands = call.params["commands"]
            commands = json.loads(commands) if isinstance(commands, str) else commands
            menus.append((scope["chat_id"], [c["command"] for c in commands]))
    return menus


async def say(fake: FakeTelegram, person: Updates, text: str) -> None:
    before = len(fake.sent(person.user_id))
    await fake.updates.put(person.text(text))
    await wait_for(lambda: len(fake.sent(person.user_id)) > before)


async def test_the_chats_menu_follows_the_language_chosen(tg_app: App) -> None:
    fake = FakeTelegram()
    running = await start_telegram(tg_app, fake)
    try:
        lan, an = Updates(user_id=7001), Updates(user_id=7002)
        for person, text in ((lan, "/batdau"), (an, "/start"), (lan, "/lang en")):
            await say(fake, person, text)
        assert "Switched to English" in fake.texts(7001)[-1]
        [(chat, english)] = chat_menus(fake)
        assert chat == 7001 and {"start", "nominate", "lang", "cancel"} <= set(english) and "decu" not in english
        # Asked again in the language it already is: the menu stays as it is.
        await say(fake, lan, "/lang en")
        assert len(chat_menus(fake)) == 1
        await fake.updates.put(lan.text("/ngonngu vi"))
        await wait_for(lambda: len(chat_menus(fake)) == 2)
        assert chat_menus(fake)[-1][0] == 7001 and "decu" in chat_menus(fake)[-1][1]
    finally:
        await stop_telegram(tg_app, running)
