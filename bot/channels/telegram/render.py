"""Replies as Telegram messages: long texts split at lines, choices as inline buttons, files as files."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, cast

from telegram import (
    Bot,
    InlineKeyboardMarkup,
    InputMediaDocument,
    InputMediaPhoto,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.channels.telegram.sizes import CAPTION, MESSAGE
from bot.conversation.messages import OutgoingFile, Reply
from bot.storage.inbox import payload_text

log = logging.getLogger(__name__)
# python-telegram-bot's own logger of Bot API calls, with each message's words.
_calls = logging.getLogger("telegram.Bot")

# An album holds 2 to 10 items, photos (and videos) together or documents together, never both, and takes
# no buttons.
ALBUM_MAX = 10

# A keyboard as the Bot API's JSON, built as such: PTB's keyboard objects cost more to build and to turn
# back into JSON than the rest of sending a reply.
Markup = dict[str, Any]


def inline_keyboard(reply: Reply) -> Markup:
    columns = max(1, reply.columns)
    # The choice's value goes out as plain callback data (at most 64 bytes), so a button pressed after a
    # restart still means the same thing.
    buttons = [{"text": choice.label, "callback_data": choice.value} for choice in reply.choices]
    return {"inline_keyboard": [buttons[i : i + columns] for i in range(0, len(buttons), columns)]}


def contact_keyboard(reply: Reply) -> Markup:
    button = {"text": reply.request_contact_label or "📱", "request_contact": True}
    return {"keyboard": [[button]], "resize_keyboard": True, "one_time_keyboard": True}


def no_keyboard() -> Markup:
    """Takes the share-my-phone keyboard away (and does nothing where none is shown)."""
    return {"remove_keyboard": True}


def has_buttons(markup: Markup | None) -> bool:
    return markup is not None and "inline_keyboard" in markup


@dataclass
class Outgoing:
    """One Telegram message to send."""

    text: str
    file: OutgoingFile | None = None
    markup: Markup | None = None
    # Sent as one album (a media group): never carries a markup.
    album: tuple[OutgoingFile, ...] = ()
    # Buttons added by an edit right after sending, when the message's one markup slot was needed to
    # take a reply keyboard away.
    late_buttons: Markup | None = None


def plan(reply: Reply) -> list[Outgoing]:
    """The messages for one reply. Buttons ride on the last text, so they sit right above the input field;
    an album comes after the text it belongs to."""
    text = reply.text
    messages: list[Outgoing] = []
    if reply.file is not None:
        fits = CAPTION.fits(text)
        messages.append(Outgoing(text if fits else "", file=reply.file))
        text = "" if fits else text
    messages += [Outgoing(piece) for piece in MESSAGE.split(text)]
    albums = _albums(reply.album)
    if not messages:
        if not albums:
            log.warning("a reply with no text and no file was not sent")
        return albums
    last = messages[-1]
    if reply.choices:
        last.markup = inline_keyboard(reply)
    if reply.request_contact:
        if last.markup is None:
            last.markup = contact_keyboard(reply)
        else:
            # One message carries one keyboard: the share-my-phone button comes in a message of its own.
            label = reply.request_contact_label or "📱"
            messages.append(Outgoing(label, markup=contact_keyboard(reply)))
    return messages + albums


def _albums(files: tuple[OutgoingFile, ...]) -> list[Outgoing]:
    """Photos in albums of their own and other files in theirs, at most ten to an album; a lone file is a
    message of its own (an album needs two)."""
    photos = [f for f in files if f.as_photo]
    documents = [f for f in files if not f.as_photo]
    out: list[Outgoing] = []
    for group in (photos, documents):
        for start in range(0, len(group), ALBUM_MAX):
            chunk = tuple(group[start : start + ALBUM_MAX])
            out.append(Outgoing("", album=chunk) if len(chunk) > 1 else Outgoing("", file=chunk[0]))
    return out


def _media(file: OutgoingFile) -> InputMediaPhoto | InputMediaDocument:
    if file.as_photo:
        return InputMediaPhoto(file.path.read_bytes(), filename=file.filename)
    return InputMediaDocument(file.path.read_bytes(), filename=file.filename)


class _Parameter:
    """A Bot API call's parameter as python-telegram-bot's request reads one (its RequestParameter, which is
    final), its JSON written once, and by pydantic's serializer: RequestParameter runs json.dumps each time
    its JSON is read, and a request reads it twice (a keyboard's JSON was a fiftieth of an update's time).
    The same JSON, but for characters beyond ASCII, written as they are rather than escaped."""

    __slots__ = ("json_value", "name", "value")
    input_files = None
    multipart_data = None

    def __init__(self, name: str, value: object) -> None:
        self.name = name
        self.value = value
        self.json_value = value if isinstance(value, str) else payload_text(value)


async def call(bot: Bot, method: str, params: dict[str, Any]) -> Any:
    """A Bot API call whose result stays Telegram's JSON. Parsing the Message every send returns into
    python-telegram-bot's objects cost more than the rest of a reply, and the bot reads at most its id.

    Straight to the Bot's request object, past `Bot.do_api_request`: its defaults, its conversion of PTB's
    objects and its logging of every call cost a third of a call here, and the parameters are plain JSON.
    Telegram's answers are still read, and its errors raised, by python-telegram-bot's request."""
    parameters = [_Parameter(key, value) for key, value in params.items() if value is not None]
    data = RequestData(cast(list[RequestParameter], parameters))
    # As python-telegram-bot logs each call: for an operator tracing messages, under its logger, which holds
    # them back otherwise (bot/logredact.py).
    _calls.debug("Calling Bot API endpoint `%s` with parameters `%s`", method, params)
    return await bot.request.post(url=f"{bot.base_url}/{method}", request_data=data)


async def send(bot: Bot, chat_id: int | str, message: Outgoing) -> int:
    """Send one planned message (without its late buttons); the id of the (first) message sent."""
    if message.album:
        sent = await bot.send_media_group(chat_id, [_media(file) for file in message.album])
        return sent[0].message_id
    file = message.file
    caption = message.text or None
    if file is None:
        result = await call(
            bot, "sendMessage", {"chat_id": chat_id, "text": message.text, "reply_markup": message.markup}
        )
        return int(result["message_id"])
    markup = _as_objects(message.markup)
    if file.as_photo:
        photo = await bot.send_photo(chat_id, file.path, caption=caption, reply_markup=markup)
        return photo.message_id
    document = await bot.send_document(chat_id, file.path, filename=file.filename, caption=caption, reply_markup=markup)
    return document.message_id


def _as_objects(markup: Markup | None) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    """A keyboard as PTB's own methods take it (the file sends, which PTB uploads for us)."""
    if markup is None:
        return None
    if "inline_keyboard" in markup:
        return InlineKeyboardMarkup.de_json(markup, None)
    if "keyboard" in markup:
        return ReplyKeyboardMarkup.de_json(markup, None)
    return ReplyKeyboardRemove()


async def set_buttons(bot: Bot, chat_id: int | str, message_id: int, markup: Markup | None) -> None:
    """Put `markup` on a message already sent (None takes its buttons off)."""
    await call(bot, "editMessageReplyMarkup", {"chat_id": chat_id, "message_id": message_id, "reply_markup": markup})


async def send_reply(bot: Bot, chat_id: int | str, reply: Reply) -> None:
    """Send one reply as it is, touching no keyboard it did not ask for (used for proactive messages)."""
    for message in plan(reply):
        await send(bot, chat_id, message)
