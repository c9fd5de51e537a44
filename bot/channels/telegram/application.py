"""The python-telegram-bot Application: every update goes to the engine, every reply comes back out."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import BotCommand, BotCommandScopeDefault, CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler
from telegram.request import BaseRequest

from bot.app import App
from bot.channels.telegram.files import TelegramFiles
from bot.channels.telegram.mapping import to_incoming
from bot.channels.telegram.render import send_reply
from bot.handlers.commands import COMMANDS
from bot.i18n import Catalog

log = logging.getLogger(__name__)

TelegramApp = Application[Any, Any, Any, Any, Any, Any]


def menu_commands(catalog: Catalog, lang: str) -> list[BotCommand]:
    return [
        BotCommand(command.vi if lang == "vi" else command.en, catalog.t(lang, f"commands.{command.name}"))
        for command in COMMANDS
        if command.in_menu
    ]


def build_application(app: App, request: BaseRequest | None = None) -> TelegramApp:
    """The Application for our settings; `request` replaces the HTTP layer (tests and benches)."""
    settings = app.settings
    assert settings.telegram_bot_token is not None, "TELEGRAM_BOT_TOKEN is not set"
    builder = ApplicationBuilder().token(settings.telegram_bot_token.get_secret_value())
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url.rstrip("/")
        builder = builder.base_url(base).base_file_url(base.replace("/bot", "/file/bot", 1))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    application: TelegramApp = builder.post_init(_set_commands(app.services.catalog)).build()
    application.bot_data["app"] = app
    application.add_handler(TypeHandler(Update, _on_update))
    application.add_error_handler(_on_error)
    return application


def _set_commands(catalog: Catalog) -> Callable[[TelegramApp], Coroutine[Any, Any, None]]:
    async def post_init(application: TelegramApp) -> None:
        bot = application.bot
        try:
            await bot.set_my_commands(menu_commands(catalog, "vi"), scope=BotCommandScopeDefault())
            await bot.set_my_commands(menu_commands(catalog, "vi"), language_code="vi")
            await bot.set_my_commands(menu_commands(catalog, "en"), language_code="en")
        except TelegramError:
            log.warning("could not set the command menu; the bot works without it", exc_info=True)

    return post_init


async def _on_update(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if not isinstance(update, Update):
        return
    app: App = context.application.bot_data["app"]
    incoming = to_incoming(update)
    if incoming is None:
        return
    query = update.callback_query
    if query is not None:
        # Stop the button's spinner at once; the answer itself comes as messages.
        await query.answer()
    replies = await app.engine.handle(incoming, TelegramFiles(context.bot))
    if query is not None and replies:
        await _mark_pressed(query)
    for reply in replies:
        await send_reply(context.bot, incoming.chat_id, reply)


async def _mark_pressed(query: CallbackQuery) -> None:
    """Show which button was pressed and take the keyboard away, so old buttons do not linger."""
    if query.message is None:
        return
    message = query.message
    markup = getattr(message, "reply_markup", None)
    text = getattr(message, "text", None)
    label = None
    if isinstance(markup, InlineKeyboardMarkup):
        label = next((b.text for row in markup.inline_keyboard for b in row if b.callback_data == query.data), None)
    try:
        if text and label:
            await query.edit_message_text(f"{text}\n\n➜ {label}"[:4096], reply_markup=None)
        else:
            await query.edit_message_reply_markup(reply_markup=None)
    except TelegramError:
        log.debug("could not update the pressed message", exc_info=True)


async def _on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error("error while handling a Telegram update", exc_info=context.error)
