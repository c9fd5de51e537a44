"""The python-telegram-bot Application: every update goes to the engine, every reply comes back out."""

from __future__ import annotations

import asyncio
import json
import logging
from functools import partial
from typing import Any

from telegram import Bot, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from bot.app import App
from bot.channels.telegram.chat_menu import ChatMenus
from bot.channels.telegram.config import api_root, bot_token
from bot.channels.telegram.files import TelegramFiles
from bot.channels.telegram.flood import patiently
from bot.channels.telegram.json_updates import Pressed, pressed_of, read_common
from bot.channels.telegram.keyboards import ContactKeyboards
from bot.channels.telegram.logsafe import guard_loggers, log_error
from bot.channels.telegram.mapping import command_in_group, to_incoming
from bot.channels.telegram.ordering import PerUserOrder
from bot.channels.telegram.render import Outgoing, call, inline_keyboard, send, set_buttons
from bot.channels.telegram.requests import calls_request, get_updates_request
from bot.conversation.messages import Incoming, Reply
from bot.i18n import DEFAULT_LANGUAGE
from bot.inbox.worker import confirm_sent
from bot.storage.inbox import Claim, InboxRow, KeptClaim, NewClaim

log = logging.getLogger(__name__)

TelegramApp = Application[Any, Any, Any, Any, Any, Any]

# What we ask Telegram for: messages and button presses. Not edits: editing an old answer is not an
# answer to the question asked now.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


class TelegramChannel:
    """The one handler every update goes through."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.keyboards = ContactKeyboards()
        self.menus = ChatMenus(app.services.catalog)

    async def on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if isinstance(update, Update):
            await self.handle(update, context.bot)

    async def handle_kept(self, bot: Bot, row: InboxRow) -> bool:
        """One update kept in the inbox; True once the engine had it (it marks the row in its transaction)."""
        try:
            body = json.loads(row.payload)
            common = read_common(body)
            if common is not None:
                return await self.answer(bot, *common, KeptClaim(row.id))
            return await self.handle(Update.de_json(body, bot), bot, KeptClaim(row.id))
        except Exception:
            # Logged here, where the token is blotted out of the traceback (see logsafe).
            log.error("telegram: error while handling update %s", row.update_key, exc_info=True)
            return False

    async def handle_new(self, bot: Bot, claim: NewClaim) -> bool | None:
        """An update not yet kept, handled in the transaction that keeps it (see `NewClaim`); None for one not
        handled so: a file to download first (the messenger would wait for it) or a kind read only by PTB."""
        try:
            arrival = claim.arrival
            # The body the webhook parsed, rather than its text parsed again.
            body = arrival.parsed if arrival.parsed is not None else json.loads(arrival.payload)
            common = read_common(body)
            if common is None or common[0].attachments:
                return None
            return await self.answer(bot, *common, claim)
        except Exception:
            log.error("telegram: error while handling update %s", claim.arrival.update_key, exc_info=True)
            return False

    async def handle(self, update: Update, bot: Bot, claim: Claim | None = None) -> bool:
        """Answer one update; True if it reached the engine."""
        incoming = to_incoming(update)
        query = update.callback_query
        pressed = pressed_of(query) if query is not None else None
        if incoming is None:
            # The button's spinner stops all the same.
            answering = _answer(bot, pressed) if pressed is not None else None
            try:
                if command_in_group(update, bot.username):
                    await self._private_only(bot, update)
            finally:
                if answering is not None:
                    await answering
            return False
        return await self.answer(bot, incoming, pressed, claim)

    async def answer(self, bot: Bot, incoming: Incoming, pressed: Pressed | None, claim: Claim | None = None) -> bool:
        """Answer what a person sent (or pressed); True once the engine had it. `claim` takes the update from
        the inbox (none for an update that was not kept there)."""
        # The button's spinner stops while the engine works; the answer itself comes as messages.
        answering = asyncio.create_task(_answer(bot, pressed)) if pressed is not None else None
        try:
            answered = await self.app.engine.answer(incoming, TelegramFiles(bot), claim=claim)
            # Known once the engine has committed, for an update it kept.
            inbox_id = claim.id if claim is not None else None
            replies = answered.replies
            if not replies:
                return True  # an update seen before
            if answered.language_changed is not None or answered.roles_changed:
                lang = answered.lang or DEFAULT_LANGUAGE
                await self.menus.follow(bot, incoming.chat_id, lang, answered.roles or frozenset())
            # A tick: the pressed message's buttons change in place; nothing new is sent.
            refreshed = pressed is not None and len(replies) == 1 and replies[0].refresh
            if refreshed and pressed is not None and await _refresh_buttons(bot, pressed, replies[0]):
                if inbox_id is not None:
                    await confirm_sent(self.app.db, self.app.services.clock, inbox_id)
                return True
            sending = self.send_replies(bot, incoming.chat_id, replies, inbox_id)
            if pressed is None or not pressed.in_chat_of(incoming.user_id):
                # A press on a message in another chat leaves that chat as it was.
                await sending
                return True
            cleared, sent = await asyncio.gather(_clear_buttons(bot, pressed), sending, return_exceptions=True)
            for outcome in (sent, cleared):
                if isinstance(outcome, BaseException):
                    raise outcome
            return True
        finally:
            if answering is not None:
                await answering

    async def send_replies(self, bot: Bot, chat_id: str, replies: list[Reply], inbox_id: int | None = None) -> int:
        """Send an update's replies; once all went, they are confirmed sent in the inbox (if kept there)."""
        await self._send_all(bot, chat_id, self.keyboards.arrange(chat_id, replies))
        if inbox_id is not None:
            await confirm_sent(self.app.db, self.app.services.clock, inbox_id)
        return len(replies)

    async def _send_all(self, bot: Bot, chat_id: str, messages: list[Outgoing]) -> None:
        for message in messages:
            sent = await patiently(partial(send, bot, chat_id, message))
            if message.late_buttons is not None:
                await patiently(partial(set_buttons, bot, chat_id, sent, message.late_buttons))

    async def _private_only(self, bot: Bot, update: Update) -> None:
        """A command in a group gets one line pointing to a private chat, in the person's app language."""
        user, chat = update.effective_user, update.effective_chat
        if chat is None:
            return
        lang = "en" if user is not None and (user.language_code or "").startswith("en") else "vi"
        text = self.app.services.catalog.t(lang, "telegram.private_only", link=f"https://t.me/{bot.username}")
        await bot.send_message(chat.id, text)


async def _answer(bot: Bot, pressed: Pressed) -> None:
    try:
        await call(bot, "answerCallbackQuery", {"callback_query_id": pressed.query_id})
    except TelegramError:
        # Presses queued while the bot was down are too old to answer; they are still handled.
        log.debug("telegram: could not answer a button press", exc_info=True)


async def _refresh_buttons(bot: Bot, pressed: Pressed, reply: Reply) -> bool:
    """Put the reply's choices on the message whose button was pressed; False if that cannot be done (the
    message is gone or too old), and the reply is then sent as a message of its own."""
    if not pressed.has_buttons or pressed.chat_id is None or pressed.message_id is None:
        return False
    try:
        buttons = inline_keyboard(reply)
        await patiently(partial(set_buttons, bot, pressed.chat_id, pressed.message_id, buttons))
    except TelegramError:
        log.debug("telegram: could not change the buttons of a message in place", exc_info=True)
        return False
    return True


async def _clear_buttons(bot: Bot, pressed: Pressed) -> None:
    """Take the buttons off the message whose button was pressed, so it cannot be pressed again."""
    if not pressed.has_buttons or pressed.chat_id is None or pressed.message_id is None:
        return
    try:
        await set_buttons(bot, pressed.chat_id, pressed.message_id, None)
    except TelegramError:
        log.debug("telegram: could not take the buttons off a message", exc_info=True)


def build_application(
    app: App, request: BaseRequest | None = None, channel: TelegramChannel | None = None
) -> TelegramApp:
    """The Application for our settings; `request` replaces the HTTP layer (tests and benches)."""
    settings = app.settings
    token = bot_token(settings)
    builder = ApplicationBuilder().token(token).concurrent_updates(PerUserOrder(settings.telegram_concurrent_updates))
    if settings.telegram_api_base_url:
        root = api_root(settings.telegram_api_base_url)
        builder = builder.base_url(f"{root}/bot").base_file_url(f"{root}/file/bot")
    if settings.telegram_local_mode:
        builder = builder.local_mode(True)
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = builder.request(calls_request()).get_updates_request(get_updates_request())
    application: TelegramApp = builder.build()
    application.add_handler(TypeHandler(Update, (channel or TelegramChannel(app)).on_update))
    application.add_error_handler(log_error)
    guard_loggers(token)
    return application
