"""Common Telegram updates read straight from their JSON give what python-telegram-bot's objects give; anything
else is left to python-telegram-bot."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from telegram import Bot, Update

import tests.support.hypothesis_profiles  # noqa: F401  (the suite's settings)
from bot.channels.telegram.inbox import arrival_of_body
from bot.channels.telegram.json_updates import Pressed, pressed_of, read_common
from bot.channels.telegram.mapping import to_incoming
from bot.conversation.messages import Incoming
from bot.storage.inbox import payload_text
from tests.support.telegram_fake import TOKEN, FakeTelegram, Updates

# Only reads updates, never calls Telegram: no HTTP clients (each would read the certificate store).
NO_NETWORK = FakeTelegram()
BOT = Bot(TOKEN, request=NO_NETWORK, get_updates_request=NO_NETWORK)
WORDS = st.text(alphabet=st.characters(codec="utf-8"), max_size=30)
TEXTS = st.one_of(
    WORDS,
    st.sampled_from(["/decu", "/huy", "/batdau@thidua_bot", "/hủy", "/ ", "//x", "/start Lan ", "2", "Có"]),
    st.builds(lambda command, args: f"/{command} {args}", st.sampled_from(["decu", "baocao"]), WORDS),
)
IDS = st.integers(min_value=1, max_value=2**52)


@st.composite
def people(draw: st.DrawFn) -> dict[str, Any]:
    person: dict[str, Any] = {"id": draw(IDS), "is_bot": draw(st.sampled_from([False, False, False, True]))}
    person["first_name"] = draw(st.sampled_from(["Lan", "", "Nguyễn", " "]))
    for key, values in (
        ("last_name", st.sampled_from(["Thị Mười", "", "Lê"])),
        ("username", st.sampled_from(["lan_84", ""])),
        ("language_code", st.sampled_from(["vi", "en", "en-US"])),
    ):
        if draw(st.booleans()):
            person[key] = draw(values)
    return person


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    """Text, commands, shared contacts and button presses, in private chats mostly and elsewhere sometimes."""
    user = draw(people())
    update_id = draw(IDS)
    own_chat = {"id": user["id"], "type": "private", "first_name": user["first_name"] or "x"}
    group = {"id": -draw(IDS), "type": draw(st.sampled_from(["group", "supergroup"])), "title": "Ấp 3"}
    chat = draw(st.sampled_from([own_chat, own_chat, own_chat, group]))
    kind = draw(st.sampled_from(["text", "contact", "press"]))
    if kind == "press":
        message: dict[str, Any] = {
            "message_id": draw(IDS),
            "date": draw(st.sampled_from([1_700_000_000, 0])),
            "chat": chat,
            "text": "…",
        }
        if draw(st.booleans()):
            message["reply_markup"] = {"inline_keyboard": [[{"text": "1", "callback_data": "x"}]]}
        query: dict[str, Any] = {"id": f"q{update_id}", "from": user, "chat_instance": "ci", "message": message}
        if draw(st.booleans()):
            query["data"] = draw(st.one_of(WORDS, st.sampled_from(["nominate:kind:individual", ""])))
        return {"update_id": update_id, "callback_query": query}
    content: dict[str, Any]
    if kind == "text":
        content = {"text": draw(TEXTS)}
    else:
        contact: dict[str, Any] = {"phone_number": draw(st.sampled_from(["0912345678", "+84 91 234", ""]))}
        contact["first_name"] = "Lan"
        owner = draw(st.sampled_from([user["id"], user["id"] + 1, None]))
        if owner is not None:
            contact["user_id"] = owner
        content = {"contact": contact}
    body = {
        "update_id": update_id,
        "message": {"message_id": draw(IDS), "date": 1_700_000_000, "chat": chat, "from": user, **content},
    }
    return body


def through_ptb(body: dict[str, Any]) -> tuple[Incoming | None, Pressed | None]:
    update = Update.de_json(copy.deepcopy(body), BOT)
    query = update.callback_query
    return to_incoming(update), pressed_of(query) if query is not None else None


@given(updates())
@settings(max_examples=300)
def test_a_common_update_reads_as_python_telegram_bot_reads_it(body: dict[str, Any]) -> None:
    fast = read_common(body)
    incoming, pressed = through_ptb(body)
    if fast is None:
        # Left to python-telegram-bot only when it would not answer either (a bot, a group chat).
        assert incoming is None
        return
    assert fast == (incoming, pressed)


@given(updates())
@settings(max_examples=100)
def test_a_webhook_update_handled_at_once_reads_as_its_kept_payload_reads(body: dict[str, Any]) -> None:
    """The body the webhook parsed, carried to the handling, stands for the payload the inbox keeps."""
    arrival = arrival_of_body(body, BOT)
    if arrival.parsed is not None:
        assert arrival.parsed == json.loads(arrival.payload)
        assert read_common(arrival.parsed) == read_common(json.loads(arrival.payload))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(JSON_VALUES)
@settings(max_examples=300)
def test_the_text_an_update_is_kept_as_reads_back_as_the_update(value: Any) -> None:
    """The inbox's compact JSON (lone surrogates included, through json.dumps) is the same value again."""
    assert json.loads(payload_text(value)) == value


def test_the_common_updates_of_a_nomination_are_read_without_python_telegram_bot() -> None:
    person = Updates(user_id=7001, last_name="Văn")
    for body in (
        person.text("/decu"),
        person.text("Nguyễn Thị Mười"),
        person.press("nominate:kind:individual"),
        person.contact("0912345678"),
    ):
        fast = read_common(body)
        assert fast is not None and fast == through_ptb(body)
    assert read_common(person.text("/decu"))[0].display_name == "Lan Văn"  # type: ignore[index]


def test_other_updates_are_left_to_python_telegram_bot() -> None:
    person = Updates(user_id=7002)
    reply = person.text("đúng rồi")
    reply["message"]["reply_to_message"] = person.text("câu hỏi")["message"]
    inline = person.press("x")
    del inline["callback_query"]["message"]
    inline["callback_query"]["inline_message_id"] = "im1"
    odd = [
        person.photo("p1", 1000),
        person.document("d1", "a.pdf", "application/pdf", 1000),
        reply,
        inline,
        {"update_id": 5, "edited_message": person.text("sửa")["message"]},
        {"update_id": "5", "message": person.text("x")["message"]},
        person.message(sticker={"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1, "is_animated": False}),
    ]
    for body in odd:
        assert read_common(body) is None
