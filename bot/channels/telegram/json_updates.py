"""The common updates (a text or a command, a shared phone number, a button press, in a person's private chat)
read straight from Telegram's JSON into an Incoming, as `mapping.to_incoming` reads them from
python-telegram-bot's objects. Building those objects (`Update.de_json`) cost more than the rest of reading
an update; anything this module is not sure of is left to that path, so both give the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeGuard

from telegram import CallbackQuery, Message

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.mapping import split_command
from bot.conversation.messages import Incoming, Kind

# The fields of a message read here; a message with any other (a photo, a reply to another message, a
# forward, a pin) goes the long way.
_MESSAGE_FIELDS = frozenset(
    {"message_id", "date", "chat", "from", "text", "entities", "contact", "link_preview_options"}
)
_USER_FIELDS = frozenset({"id", "is_bot", "first_name", "last_name", "username", "language_code", "is_premium"})


@dataclass(frozen=True)
class Pressed:
    """What answering a button press and taking the buttons off its message need to know of it."""

    query_id: str
    # The chat of the message whose button was pressed (None when Telegram sent no message with the press).
    chat_id: int | None = None
    message_id: int | None = None
    # The message is one the bot can still edit, and it has buttons to take off.
    has_buttons: bool = False

    def in_chat_of(self, user_id: str) -> bool:
        """Pressed in the person's own chat with the bot."""
        return self.chat_id is not None and str(self.chat_id) == user_id


def pressed_of(query: CallbackQuery) -> Pressed:
    message = query.message
    if message is None:
        return Pressed(query.id)
    editable = isinstance(message, Message) and message.reply_markup is not None
    return Pressed(query.id, message.chat.id, message.message_id, editable)


def read_common(body: dict[str, Any]) -> tuple[Incoming, Pressed | None] | None:
    """The Incoming of a common update, and the press it was; None when the update is not one of those (or not
    shaped as expected), to be parsed by python-telegram-bot."""
    update_id = body.get("update_id")
    if not _is_int(update_id) or len(body) != 2:
        return None
    message = body.get("message")
    if isinstance(message, dict):
        return _message(update_id, message)
    query = body.get("callback_query")
    if isinstance(query, dict):
        return _press(update_id, query)
    return None


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _base(update_id: int, user: object) -> dict[str, object] | None:
    """The fields every Incoming has, from a person (never a bot) as Telegram describes them."""
    if not isinstance(user, dict) or not _USER_FIELDS.issuperset(user):
        return None
    user_id, first = user.get("id"), user.get("first_name")
    if not _is_int(user_id) or user.get("is_bot") is not False or not isinstance(first, str):
        return None
    last, username, language = user.get("last_name"), user.get("username"), user.get("language_code")
    if not all(value is None or isinstance(value, str) for value in (last, username, language)):
        return None
    name = " ".join(part for part in (first, last) if part) or username
    return {
        "channel": CHANNEL,
        "user_id": str(user_id),
        "chat_id": str(user_id),
        "display_name": name,
        "update_key": str(update_id),
        "language_hint": language,
    }


def _private_chat(chat: object, user: dict[str, object]) -> bool:
    return isinstance(chat, dict) and chat.get("type") == "private" and chat.get("id") == user.get("id")


def _message(update_id: int, message: dict[str, Any]) -> tuple[Incoming, None] | None:
    if not _MESSAGE_FIELDS.issuperset(message) or not _is_int(message.get("message_id")):
        return None
    if not _is_int(message.get("date")):
        return None
    user = message.get("from")
    base = _base(update_id, user)
    if base is None or not isinstance(user, dict) or not _private_chat(message.get("chat"), user):
        return None
    text = message.get("text")
    if isinstance(text, str):
        command = split_command(text)
        if command is None:
            return Incoming.model_validate({**base, "kind": Kind.TEXT, "text": text}), None
        word, _, args = command
        fields = {"kind": Kind.COMMAND, "command": word, "args": args, "text": text}
        return Incoming.model_validate({**base, **fields}), None
    contact = message.get("contact")
    if text is None and isinstance(contact, dict):
        phone, owner = contact.get("phone_number"), contact.get("user_id")
        if not isinstance(phone, str) or not isinstance(contact.get("first_name"), str):
            return None
        if not (owner is None or _is_int(owner)):
            return None
        fields = {"kind": Kind.CONTACT, "contact_phone": phone, "contact_is_own": owner == user["id"]}
        return Incoming.model_validate({**base, **fields}), None
    return None


def _press(update_id: int, query: dict[str, Any]) -> tuple[Incoming, Pressed] | None:
    query_id, data, message = query.get("id"), query.get("data", ""), query.get("message")
    if not isinstance(query_id, str) or not isinstance(data, str) or not isinstance(message, dict):
        return None
    if not set(query).issubset({"id", "from", "chat_instance", "data", "message"}):
        return None
    base = _base(update_id, query.get("from"))
    chat, message_id, date = message.get("chat"), message.get("message_id"), message.get("date")
    if base is None or not isinstance(chat, dict) or not _is_int(chat.get("id")) or not _is_int(message_id):
        return None
    if not _is_int(date):
        return None
    markup = message.get("reply_markup")
    if markup is not None and not (isinstance(markup, dict) and isinstance(markup.get("inline_keyboard"), list)):
        return None
    pressed = Pressed(query_id, chat["id"], message_id, markup is not None)
    return Incoming.model_validate({**base, "kind": Kind.CHOICE, "choice": data}), pressed
