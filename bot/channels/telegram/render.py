"""Replies as Telegram messages: choices as inline buttons, the contact request as a reply keyboard."""

from __future__ import annotations

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.channels.split import split_text
from bot.engine.messages import Reply

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove


def markup_for(reply: Reply) -> Markup:
    if reply.choices:
        columns = max(1, reply.columns)
        buttons = [InlineKeyboardButton(c.label, callback_data=c.value) for c in reply.choices]
        rows = [buttons[i : i + columns] for i in range(0, len(buttons), columns)]
        return InlineKeyboardMarkup(rows)
    if reply.request_contact:
        return ReplyKeyboardMarkup(
            [[KeyboardButton(reply.request_contact_label or "📱", request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
    # Stateless rule: a reply that offers nothing takes away a contact keyboard that may still be shown.
    # Telegram ignores the removal when there is none.
    return ReplyKeyboardRemove()


async def send_reply(bot: Bot, chat_id: int | str, reply: Reply) -> None:
    """Send one reply; a long text goes out in several messages and the buttons ride on the last."""
    markup = markup_for(reply)
    if reply.file is not None:
        caption = reply.text if len(reply.text) <= CAPTION_LIMIT else None
        file_markup = markup if caption is not None else None
        if reply.file.as_photo:
            await bot.send_photo(chat_id, reply.file.path, caption=caption, reply_markup=file_markup)
        else:
            await bot.send_document(
                chat_id,
                reply.file.path,
                filename=reply.file.filename,
                caption=caption,
                reply_markup=file_markup,
            )
        if caption is not None:
            return
    pieces = split_text(reply.text, MESSAGE_LIMIT)
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        await bot.send_message(chat_id, piece, reply_markup=markup if last else None)
