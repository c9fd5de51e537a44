"""A Telegram update becomes one Incoming; everything a person can send gets a kind, so none goes unanswered."""

from __future__ import annotations

from telegram import Chat, Message, Update, User

from bot.channels.telegram import CHANNEL
from bot.conversation.messages import Attachment, Incoming, Kind


def _display_name(user: User) -> str | None:
    return " ".join(part for part in (user.first_name, user.last_name) if part) or user.username


def _is_service(message: Message) -> bool:
    """Things Telegram itself posts in a private chat (a pin, an auto-delete timer): nobody said anything."""
    return message.pinned_message is not None or message.message_auto_delete_timer_changed is not None


def split_command(text: str) -> tuple[str, str, str] | None:
    """(command, bot it is addressed to or "", arguments) for "/decu@thidua_bot Lan", or None for plain text.

    Judged by the text rather than Telegram's bot_command entity, so "/hủy" typed with diacritics still
    reaches the router as a command (and gets a helpful "unknown command" answer rather than being taken
    as an answer to the current question)."""
    if not text.startswith("/") or len(text) < 2 or text[1].isspace() or text[1] == "/":
        return None
    head, *rest = text[1:].split(maxsplit=1)
    command, _, target = head.partition("@")
    return command, target, rest[0].strip() if rest else ""


def to_incoming(update: Update) -> Incoming | None:
    """The Incoming for something a person sent the bot in a private chat, or None if nobody needs an answer.

    Group chats are left out on purpose: a nomination shows the nominator's phone number, and Telegram
    allows the share-my-phone button only in private chats."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    base: dict[str, object] = {
        "channel": CHANNEL,
        "user_id": str(user.id),
        # A person's private chat with the bot has their own id. A button pressed on a message elsewhere (a
        # group, another chat) is answered there, in their own chat, and never moves where they are reached.
        "chat_id": str(user.id),
        "display_name": _display_name(user),
        "update_key": str(update.update_id),
        "language_hint": user.language_code,
    }
    query = update.callback_query
    if query is not None:
        return Incoming.model_validate({**base, "kind": Kind.CHOICE, "choice": query.data or ""})
    if chat.type != Chat.PRIVATE or chat.id != user.id:
        return None
    # Edited messages are not asked for (see ALLOWED_UPDATES): an edit of an old answer is not an answer
    # to the question being asked now.
    message = update.message
    if message is None or _is_service(message):
        return None
    return Incoming.model_validate({**base, **_message_fields(message, user)})


def _message_fields(message: Message, user: User) -> dict[str, object]:
    if message.text is not None:
        command = split_command(message.text)
        if command is not None:
            word, _, args = command
            return {"kind": Kind.COMMAND, "command": word, "args": args, "text": message.text}
        return {"kind": Kind.TEXT, "text": message.text}
    if message.photo:
        # Telegram lists the sizes smallest first; the evidence is the full picture.
        largest = max(message.photo, key=lambda size: (size.width * size.height, size.file_size or 0))
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
        return {
            "kind": Kind.CONTACT,
            "contact_phone": message.contact.phone_number,
            "contact_is_own": message.contact.user_id == user.id,
        }
    if message.location is not None or message.venue is not None:
        return {"kind": Kind.LOCATION}
    if message.sticker is not None:
        return {"kind": Kind.STICKER}
    if message.voice is not None or message.audio is not None or message.video_note is not None:
        return {"kind": Kind.VOICE}
    # A poll, a dice, a video, a game...: the engine answers kindly that it cannot read it.
    return {"kind": Kind.UNSUPPORTED}


def command_in_group(update: Update, bot_username: str | None) -> bool:
    """A command typed in a group and meant for this bot (not "/start@some_other_bot")."""
    message = update.message
    chat = update.effective_chat
    if message is None or message.text is None or chat is None or chat.type == Chat.PRIVATE:
        return False
    command = split_command(message.text)
    if command is None:
        return False
    target = command[1]
    return not target or (bot_username is not None and target.lower() == bot_username.lower())
