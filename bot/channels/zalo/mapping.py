"""A Zalo update becomes one Incoming. Public descriptions of the update differ in places (the sender's name
field, the photo's field and form, whether a webhook body is wrapped), so every described form is read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.channels.zalo import CHANNEL
from bot.conversation.messages import Attachment, Incoming, Kind
from bot.storage.inbox import Arrival, payload_text

TEXT = "message.text.received"
IMAGE = "message.image.received"
STICKER = "message.sticker.received"
VOICE = "message.voice.received"
UNSUPPORTED = "message.unsupported.received"


def unwrap(body: object) -> dict[str, Any] | None:
    """The update itself, whether sent flat or wrapped in `{"ok": true, "result": ...}`."""
    if not isinstance(body, dict):
        return None
    result = body.get("result")
    if "message" not in body and "event_name" not in body and isinstance(result, dict):
        return result
    return body


def _text_of(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _display_name(sender: Mapping[str, Any]) -> str | None:
    for key in ("display_name", "name", "first_name"):
        value = sender.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def photo_url(message: Mapping[str, Any]) -> str | None:
    """The image's URL: `photo_url`, or `photo` as a URL, an object with `url`, or a list of sizes (last is
    the largest)."""
    for value in (message.get("photo_url"), message.get("photo"), message.get("url")):
        if isinstance(value, list) and value:
            value = value[-1]
        if isinstance(value, dict):
            value = value.get("url") or value.get("photo_url")
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            return value
    return None


def event_of(update: Mapping[str, Any], message: Mapping[str, Any]) -> str:
    event = update.get("event_name")
    if isinstance(event, str) and event:
        return event
    # One public sample of getUpdates carries no event_name: tell the kind by what the message holds.
    if isinstance(message.get("text"), str):
        return TEXT
    if photo_url(message):
        return IMAGE
    return UNSUPPORTED


def update_key(update: Mapping[str, Any]) -> str | None:
    """Zalo has no update id: an event and its message id name one delivery. None when there is no message id,
    and such an update is refused rather than perhaps handled twice."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    message_id = message.get("message_id")
    if message_id in (None, "") or isinstance(message_id, (dict, list)):
        return None
    return f"{event_of(update, message)}:{message_id}"


def arrival_of(update: Mapping[str, Any]) -> Arrival | None:
    """The update as the inbox keeps it, or None if it has no key."""
    key = update_key(update)
    if key is None:
        return None
    message = update["message"]
    sender = message.get("from")
    person = str(sender.get("id")) if isinstance(sender, dict) and sender.get("id") not in (None, "") else ""
    return Arrival(update_key=key, person=person, payload=payload_text(update))


def to_incoming(update: Mapping[str, Any]) -> Incoming | None:
    """The Incoming for a message from a person, or None for anything nobody needs to answer."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    sender = message.get("from")
    if not isinstance(sender, dict) or sender.get("id") in (None, "") or sender.get("is_bot") is True:
        return None
    chat = message.get("chat")
    user_id = str(sender["id"])
    chat_id = str(chat["id"]) if isinstance(chat, dict) and chat.get("id") not in (None, "") else user_id
    event = event_of(update, message)
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "user_id": user_id,
        "chat_id": chat_id,
        "display_name": _display_name(sender),
        "update_key": update_key(update),
    }
    return Incoming(**base, **_content(event, message))


def _content(event: str, message: Mapping[str, Any]) -> dict[str, Any]:
    if event == TEXT:
        text = _text_of(message.get("text")) or ""
        if text.startswith("/") and len(text) > 1 and not text[1].isspace():
            word, _, args = text[1:].partition(" ")
            return {"kind": Kind.COMMAND, "command": word.split("@", 1)[0], "args": args.strip(), "text": text}
        return {"kind": Kind.TEXT, "text": text}
    if event == IMAGE:
        url = photo_url(message)
        if url is None:
            return {"kind": Kind.UNSUPPORTED}
        message_id = message.get("message_id") or "image"
        # The name is only for the user's eyes; the type is read from the bytes after download.
        attachment = Attachment(ref=url, name=f"zalo-{message_id}.jpg")
        return {"kind": Kind.FILE, "attachments": (attachment,), "text": _text_of(message.get("caption"))}
    if event == STICKER:
        return {"kind": Kind.STICKER}
    if event == VOICE:
        return {"kind": Kind.VOICE}
    return {"kind": Kind.UNSUPPORTED}
