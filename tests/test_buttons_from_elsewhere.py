"""A button press is answered only in the presser's own chat, whichever chat its message was in, and never
changes where the presser is reached; a language button with a value the bot does not know is refused."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.conversation.messages import Kind
from bot.settings import Settings
from tests.support.chat import Person
from tests.support.config import make_settings
from tests.support.db import db_rows
from tests.support.telegram_chat import TelegramChat, open_chat
from tests.support.telegram_fake import TOKEN, as_update


def pressed_in(tg: TelegramChat, data: str, chat: dict[str, Any]) -> dict[str, Any]:
    update = tg.updates.press(data)
    update["callback_query"]["message"]["chat"] = chat
    return update


async def test_a_press_on_a_message_in_another_chat_is_answered_in_ones_own(tmp_path: Path, clock: FixedClock) -> None:
    tg_settings = make_settings(tmp_path, telegram_bot_token=TOKEN)
    app = await build_app(tg_settings, clock)
    tg = await open_chat(app)
    try:
        await pressed_elsewhere(tg, tg_settings)
    finally:
        await tg.application.shutdown()
        await app.close()


async def pressed_elsewhere(tg: TelegramChat, tg_settings: Settings) -> None:
    await tg.say("/start")
    other_person = {"id": 777, "type": "private", "first_name": "Người khác"}
    group = {"id": -100555, "type": "supergroup", "title": "Tổ thi đua"}
    for chat in (other_person, group):
        before = len(tg.fake.of("sendMessage"))
        await tg.application.process_update(as_update(pressed_in(tg, "lang:en", chat), tg.application.bot))
        sent = tg.fake.of("sendMessage")[before:]
        assert sent and {str(c.params["chat_id"]) for c in sent} == {str(tg.chat_id)}
        # The message in the other chat is left as it was: no buttons taken away there.
        assert not any(str(c.params.get("chat_id")) == str(chat["id"]) for c in tg.fake.calls)
    assert db_rows(tg_settings, "SELECT external_id, chat_id, lang FROM users") == [
        (str(tg.chat_id), str(tg.chat_id), "en")
    ]


async def test_a_language_the_bot_does_not_have_is_not_stored(app: App) -> None:
    person = Person(app)
    await person.say("/start")
    for forged in ("lang:xx", "lang:", "lang:" + "v" * 300, "lang:VI"):
        await person.send_kind(Kind.CHOICE, choice=forged)
        assert "không chọn ngôn ngữ nào mà bot có" in person.text
        assert set(person.buttons) == {"Tiếng Việt", "English"}
    with sqlite3.connect(app.db.path) as conn:
        assert conn.execute("SELECT lang FROM users").fetchall() == [("vi",)]
