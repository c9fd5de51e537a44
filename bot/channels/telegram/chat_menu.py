"""A person's command menu in their own chat: in the language they chose in the bot, with the desk's commands
their roles allow.

The menus set at start-up follow each person's app language (Vietnamese for every language without a menu
of its own), and each member of staff gets one of their own. After that a person's menu changes when the
engine reports that an update changed their language or roles, and every few minutes the staff menus are
compared with the roles in the database, which an operator changes from the command line while the bot
runs (a role granted or revoked, a unit's succession)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from telegram import Bot, BotCommandScopeChat
from telegram.error import TelegramError

from bot.app import App
from bot.channels.telegram.menu import StaffMenu, menu_commands, staff_menus
from bot.domain.policy import Role
from bot.i18n import Catalog

log = logging.getLogger(__name__)

# How often the staff menus are compared with the roles in the database. A role changed from the command
# line shows in the menu within this time; the commands themselves follow the roles at once.
REFRESH_SECONDS = 300.0


@dataclass
class ChatMenus:
    """The menus set for single chats, as (language, roles) by chat id, so a refresh sets only what changed."""

    catalog: Catalog
    staff: dict[str, tuple[str, frozenset[Role]]] = field(default_factory=dict)

    def started_with(self, staff: list[StaffMenu]) -> None:
        self.staff = {member.chat_id: (member.lang, member.roles) for member in staff}

    async def follow(self, bot: Bot, chat_id: str, lang: str, roles: frozenset[Role]) -> None:
        """Someone whose language or roles an update changed gets the menu for both."""
        if await self._set(bot, chat_id, lang, roles):
            self._remember(chat_id, lang, roles)

    async def refresh(self, app: App, bot: Bot) -> None:
        """Set the menu of every member of staff whose roles or language changed since it was set, and give
        the public one back to whoever holds no role any more."""
        now = {member.chat_id: (member.lang, member.roles) for member in await staff_menus(app)}
        for chat_id, (lang, roles) in now.items():
            if self.staff.get(chat_id) != (lang, roles) and await self._set(bot, chat_id, lang, roles):
                self.staff[chat_id] = (lang, roles)
        for chat_id in [chat_id for chat_id in self.staff if chat_id not in now]:
            lang, _ = self.staff[chat_id]
            if await self._set(bot, chat_id, lang, frozenset()):
                del self.staff[chat_id]

    async def keep_up(self, app: App, bot: Bot, every: float = REFRESH_SECONDS) -> None:
        """Refresh until cancelled; a failed refresh is logged and tried again next time."""
        while True:
            await asyncio.sleep(every)
            try:
                await self.refresh(app, bot)
            except Exception:
                log.warning("telegram: could not refresh the staff menus", exc_info=True)

    def _remember(self, chat_id: str, lang: str, roles: frozenset[Role]) -> None:
        if roles:
            self.staff[chat_id] = (lang, roles)
        else:
            self.staff.pop(chat_id, None)

    async def _set(self, bot: Bot, chat_id: str, lang: str, roles: frozenset[Role]) -> bool:
        """False on a failure, which is logged: the menu is a convenience, the commands work without it."""
        try:
            await bot.set_my_commands(menu_commands(self.catalog, lang, roles), scope=BotCommandScopeChat(int(chat_id)))
        except (TelegramError, ValueError):
            log.warning("telegram: could not set the menu of chat %s", chat_id, exc_info=True)
            return False
        return True
