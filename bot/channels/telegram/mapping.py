"""A Telegram update becomes one Incoming; everything a person can send gets a kind, so none is ignored."""

from __future__ import annotations

from telegram import Message, Update, User

from bot.channels.telegram import CHANNEL
from bot.engine.messages import Attachment, Incoming, Kind


def _display_name(user: User | None) -> str | None:
    if user is None:
        return None
    return " ".join(part for part in (user.first_name, user.last_name) if part) or user.username


def to_incoming(update: Update) -> Incoming | None:
    """The Incoming for an update from a person, or None for updates nobody needs to answer."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    base = {
        "channel": CHANNEL,
        "user_id": str(user.id),
        "chat_id": str(chat.id),
        "display_name": _display_name(user),
        "update_key": str(update.update_id),
        "language_hint": user.language_code,
    }
    query = update.callback_query
    if query is not None:
        return Incoming(kind=Kind.CHOICE, choice=query.data or "", **base)
    message = update.message or update.edited_message
    if message is None:
        return None
    return Incoming(**base, **_message_fields(message, user))


def _message_fields(message: Message, user: User) -> dict[str, object]:
    if message.text is not None:
        text = message.text
        if text.startswith("/") and len(text) > 1 and not text[1].isspace():
            word, _, args = text[1:].partition(" ")
            return {
                "kind": Kind.COMMAND,
                "command": word.split("@", 1)[0],
                "args": args.strip(),
                "text": text,
            }
        return {"kind": Kind.TEXT, "text": text}
    if message.photo:
        largest = max(message.photo, key=lambda size: (size.file_size or 0, size.width * size.height))
        attachment = Attachment(
            ref=largest.file_id,
            name=f"photo-{message.message_id}.jpg",
            mime="image/jpeg",
            size=largest.file_size,
        )
        return {"kind": Kind.FILE, "attachments": (attachment,), "text": message.caption}
    if message.document is not None:
        doc = message.document
        attachment = Attachment(ref=doc.file_id, name=doc.file_name, mime=doc.mime_type, size=doc.file_size)
        return {"kind": Kind.FILE, "attachments": (attachment,), "text": message.caption}
    if message.contact is not None:
        contact = message.contact
        return {
            "kind": Kind.CONTACT,
            "contact_phone": contact.phone_number,
            "contact_is_own": contact.user_id == user.id,
        }
    if message.location is not None or message.venue is not None:
        return {"kind": Kind.LOCATION}
    if message.sticker is not None:
        return {"kind": Kind.STICKER}
    if message.voice is not None or message.audio is not None or message.video_note is not None:
        return {"kind": Kind.VOICE}
    return {"kind": Kind.UNSUPPORTED}
