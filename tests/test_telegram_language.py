"""Someone who picks a language in the bot gets the command menu of their own chat in it, as the engine
reports the change with its replies; nobody else's menu changes. A member of staff keeps their desk's
commands in it, and a role gained or lost changes the menu too."""

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
from bot.domain.policy import Grant, Role
from bot.storage.roles import RoleRepo
from bot.storage.users import UserRepo
from tests.support.chat import Person
from tests.support.config import make_settings
from tests.support.net import wait_for
from tests.support.roles import invite_code
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


DESK_VI = {"choduyet", "thongbao", "xuat", "moi", "web"}
DESK_EN = {"queue", "announce", "export", "invite", "desk"}


async def test_a_secretary_who_changes_language_keeps_the_desk_commands(tg_app: App) -> None:
    secretary = Person(tg_app, "7070", channel="telegram")
    await secretary.say(f"/dangky {await invite_code(tg_app, Grant(role=Role.SECRETARIAT))}")
    fake = FakeTelegram()
    running = await start_telegram(tg_app, fake)
    try:
        started = len(chat_menus(fake))
        await say(fake, Updates(user_id=7070), "/lang en")
        [(chat, english)] = chat_menus(fake)[started:]
        assert chat == 7070 and set(english) >= DESK_EN and {"start", "nominate"} <= set(english)
        await say(fake, Updates(user_id=7070), "/ngonngu vi")
        [_, (chat, vietnamese)] = chat_menus(fake)[started:]
        assert chat == 7070 and set(vietnamese) >= DESK_VI and "decu" in vietnamese
    finally:
        await stop_telegram(tg_app, running)


async def test_an_invite_code_redeemed_in_the_chat_brings_the_desk_commands(tg_app: App) -> None:
    code = await invite_code(tg_app, Grant(role=Role.SECRETARIAT))
    fake = FakeTelegram()
    running = await start_telegram(tg_app, fake)
    try:
        person = Updates(user_id=7272)
        await say(fake, person, "/batdau")
        assert chat_menus(fake) == []
        await say(fake, person, f"/dangky {code}")
        [(chat, commands)] = chat_menus(fake)
        assert chat == 7272 and set(commands) >= DESK_VI
        # A code that does not work changes nothing.
        await say(fake, person, "/dangky KHONGCO")
        assert len(chat_menus(fake)) == 1
    finally:
        await stop_telegram(tg_app, running)


async def test_roles_changed_from_the_command_line_reach_the_menu_at_the_next_refresh(tg_app: App) -> None:
    person = Person(tg_app, "7373", channel="telegram")
    await person.say("/lang en")
    fake = FakeTelegram()
    running = await start_telegram(tg_app, fake)
    try:
        refresh = running.channel.menus.refresh
        bot = running.application.bot
        await refresh(tg_app, bot)
        assert chat_menus(fake) == []  # a citizen: the public menus set at start-up are theirs
        now = tg_app.services.clock.now()
        async with tg_app.db.transaction() as conn:
            user = await UserRepo(conn).get("telegram", "7373")
            assert user is not None
            assert await RoleRepo(conn).grant(user.id, Grant(role=Role.SECRETARIAT), now, channel="cli")
        await refresh(tg_app, bot)
        [(chat, granted)] = chat_menus(fake)
        assert chat == 7373 and set(granted) >= DESK_EN
        await refresh(tg_app, bot)
        assert len(chat_menus(fake)) == 1  # nothing changed, nothing set
        async with tg_app.db.transaction() as conn:
            assert await RoleRepo(conn).revoke(user.id, Grant(role=Role.SECRETARIAT), now, channel="cli")
        await refresh(tg_app, bot)
        [_, (chat, revoked)] = chat_menus(fake)
        assert chat == 7373 and "queue" not in revoked and {"start", "nominate", "lang"} <= set(revoked)
    finally:
        await stop_telegram(tg_app, running)
