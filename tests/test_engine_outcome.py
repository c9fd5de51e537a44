"""The engine says, with each update's replies, the person's language after it and whether it changed, so a
channel adds its own words and menus in the right language without working it out again."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.conversation.messages import Incoming, Kind
from bot.domain.policy import Grant, Role
from bot.engine.outcome import LanguageChanged, RolesChanged
from tests.support.roles import invite_code


def command(channel: str, text: str, update_key: str | None = None) -> Incoming:
    word, _, args = text[1:].partition(" ")
    base = {"channel": channel, "user_id": "501", "chat_id": "501", "update_key": update_key}
    return Incoming(kind=Kind.COMMAND, command=word, args=args, text=text, **base)


@pytest.mark.parametrize("channel", ["zalo", "telegram"])
async def test_a_language_chosen_is_reported_once_with_the_replies(app: App, channel: str) -> None:
    first = await app.engine.answer(command(channel, "/batdau"))
    assert (first.lang, first.events) == ("vi", ())
    asked = await app.engine.answer(command(channel, "/lang"))
    assert (asked.lang, asked.events) == ("vi", ())
    [question] = asked.replies
    english = next(choice for choice in question.choices if choice.label == "English")
    base = {"channel": channel, "user_id": "501", "chat_id": "501"}
    picked = await app.engine.answer(Incoming(kind=Kind.CHOICE, choice=english.value, **base))
    assert picked.lang == "en" and picked.events == (LanguageChanged("vi", "en"),)
    assert picked.language_changed == LanguageChanged("vi", "en")
    assert "Switched to English" in picked.replies[0].text
    # Said again in the language it already is: nothing changed.
    again = await app.engine.answer(command(channel, "/lang en"))
    assert (again.lang, again.events, again.language_changed) == ("en", (), None)
    back = await app.engine.answer(command(channel, "/ngonngu vi"))
    assert back.events == (LanguageChanged("en", "vi"),)


async def test_an_update_handled_before_says_nothing(app: App) -> None:
    once = await app.engine.answer(command("telegram", "/lang en", update_key="77"))
    assert once.language_changed == LanguageChanged("vi", "en")
    twice = await app.engine.answer(command("telegram", "/lang en", update_key="77"))
    assert (twice.replies, twice.lang, twice.events) == ([], None, ())


async def test_the_stored_language_is_read_for_someone_not_yet_heard_from(app: App) -> None:
    assert await app.engine.language_of("zalo", "501") == "vi"
    await app.engine.answer(command("zalo", "/lang en"))
    assert await app.engine.language_of("zalo", "501") == "en"
    assert await app.engine.language_of("telegram", "501") == "vi"


async def test_a_role_gained_is_reported_with_the_roles_after_it(app: App) -> None:
    plain = await app.engine.answer(command("telegram", "/batdau"))
    assert (plain.events, plain.roles) == ((), None)
    code = await invite_code(app, Grant(role=Role.SECRETARIAT))
    wrong = await app.engine.answer(command("telegram", "/dangky KHONGCO"))
    assert (wrong.events, wrong.roles) == ((), None)
    registered = await app.engine.answer(command("telegram", f"/dangky {code}"))
    assert registered.events == (RolesChanged(),) and registered.roles_changed
    assert registered.roles == frozenset({Role.CITIZEN, Role.SECRETARIAT})
    # A language chosen reports the roles too: the channel's menu depends on both.
    switched = await app.engine.answer(command("telegram", "/lang en"))
    assert switched.events == (LanguageChanged("vi", "en"),) and not switched.roles_changed
    assert switched.roles == frozenset({Role.CITIZEN, Role.SECRETARIAT})
