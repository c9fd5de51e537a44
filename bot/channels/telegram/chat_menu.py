"""A person's command menu in the language they chose in the bot.

The menus set at start-up follow each person's app language (Vietnamese for every language without a menu
of its own). Someone who picks another language in the bot gets a menu of their own chat in it, set when
the engine reports the change."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommandScopeChat
from telegram.error import TelegramError

from bot.channels.telegram.menu import menu_commands
from bot.i18n import Catalog

log = logging.getLogger(__name__)


async def follow_language(bot: Bot, catalog: Catalog, chat_id: str, lang: str) -> None:
    """A failure is logged: the menu is a convenience, the commands work without it."""
    try:
        await bot.set_my_commands(menu_commands(catalog, lang), scope=BotCommandScopeChat(int(chat_id)))
    except (TelegramError, ValueError):
        log.warning("telegram: could not set the menu of chat %s", chat_id, exc_info=True)
