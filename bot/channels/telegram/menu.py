"""The command menu Telegram shows next to the input field, in Vietnamese and English."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand
from telegram.error import TelegramError

from bot.handlers.commands import COMMANDS
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, Catalog

log = logging.getLogger(__name__)


def menu_commands(catalog: Catalog, lang: str) -> list[BotCommand]:
    return [
        BotCommand(command.vi if lang == "vi" else command.en, catalog.t(lang, f"commands.{command.name}"))
        for command in COMMANDS
        if command.in_menu
    ]


async def set_command_menu(bot: Bot, catalog: Catalog) -> None:
    """Vietnamese for everyone whose app language has no menu of its own, and per language for the rest.
    A failure is logged: the bot works without a menu."""
    try:
        await bot.set_my_commands(menu_commands(catalog, DEFAULT_LANGUAGE))
        for lang in LANGUAGES:
            await bot.set_my_commands(menu_commands(catalog, lang), language_code=lang)
    except TelegramError:
        log.warning("telegram: could not set the command menu", exc_info=True)
