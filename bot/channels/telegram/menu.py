"""The command menu Telegram shows next to the input field, in Vietnamese and English: the public one in
every private chat (and group), and for each member of staff in their own chat, with the desk's commands
they may use."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat, BotCommandScopeDefault
from telegram.error import TelegramError

from bot.app import App
from bot.channels.telegram import CHANNEL
from bot.domain.policy import Role, allowed
from bot.handlers.commands import COMMANDS
from bot.i18n import DEFAULT_LANGUAGE, LANGUAGES, Catalog
from bot.storage.roles import RoleRepo
from bot.storage.users import UserRepo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StaffMenu:
    """A member of staff's private chat, their language, and the roles that decide their desk commands."""

    chat_id: str
    lang: str
    roles: frozenset[Role]


def menu_commands(catalog: Catalog, lang: str, roles: frozenset[Role] = frozenset()) -> list[BotCommand]:
    """The commands listed for someone holding `roles`: everyone's, and the desk's they may use."""
    return [
        BotCommand(command.vi if lang == "vi" else command.en, catalog.t(lang, f"commands.{command.name}"))
        for command in COMMANDS
        if command.listed and (not command.staff or allowed(roles, command.action))
    ]


async def staff_menus(app: App) -> list[StaffMenu]:
    """Everyone on Telegram holding a role now (administrators named in the settings too), with their roles."""
    async with app.db.reading() as conn:
        holders = [h for h in await RoleRepo(conn).reachable_holders() if h.channel == CHANNEL]
        admins = [await UserRepo(conn).get(channel, external) for channel, external in app.services.admins]
    staff: dict[str, tuple[str, set[Role]]] = {}
    for holder in holders:
        staff.setdefault(holder.chat_id, (holder.lang, set()))[1].add(Role(holder.role))
    for admin in admins:
        if admin is not None and admin.channel == CHANNEL:
            staff.setdefault(admin.chat_id, (admin.lang, set()))[1].add(Role.ADMIN)
    return [StaffMenu(chat_id, lang, frozenset(roles)) for chat_id, (lang, roles) in staff.items()]


async def set_command_menu(bot: Bot, catalog: Catalog, staff: Sequence[StaffMenu] = ()) -> bool:
    """Vietnamese for everyone whose app language has no menu of its own, and per language for the rest;
    then each member of staff's own. A failure is logged and False: the bot works without a menu."""
    try:
        for scope in (BotCommandScopeDefault(), BotCommandScopeAllPrivateChats()):
            await bot.set_my_commands(menu_commands(catalog, DEFAULT_LANGUAGE), scope=scope)
            for lang in LANGUAGES:
                await bot.set_my_commands(menu_commands(catalog, lang), scope=scope, language_code=lang)
        for member in staff:
            commands = menu_commands(catalog, member.lang, member.roles)
            await bot.set_my_commands(commands, scope=BotCommandScopeChat(int(member.chat_id)))
    except TelegramError:
        log.warning("telegram: could not set the command menu", exc_info=True)
        return False
    return True
