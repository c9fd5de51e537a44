"""Each Zalo user's language, for the words the channel adds to replies (how to answer without buttons).

Reading it from the database for every reply would cost a locked read per update, a third of the channel's
throughput. A language changes only by /lang (with or without the language named) or by picking one of the
languages it offers, so it is read once, and read again only after an update that may have changed it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.channels.zalo import CHANNEL
from bot.conversation.messages import Incoming, Kind, Reply
from bot.handlers.commands import find_command
from bot.handlers.start import LANG_PREFIX
from bot.i18n import DEFAULT_LANGUAGE
from bot.storage.database import Database
from bot.storage.users import UserRepo

log = logging.getLogger(__name__)

KEPT = 10_000


def offers_languages(replies: Sequence[Reply]) -> bool:
    return any(choice.value.startswith(LANG_PREFIX) for reply in replies for choice in reply.choices)


def _is_language_command(incoming: Incoming) -> bool:
    command = find_command(incoming.command or "") if incoming.kind is Kind.COMMAND else None
    return command is not None and command.name == "lang"


class Languages:
    def __init__(self, db: Database, kept: int = KEPT) -> None:
        self.db = db
        self.kept = kept
        self._known: dict[str, str] = {}
        self._may_change: set[str] = set()

    async def _read(self, user_id: str) -> str:
        try:
            async with self.db.reading() as conn:
                user = await UserRepo(conn).get(CHANNEL, user_id)
        except Exception:
            # A hint in the wrong language beats a reply not sent.
            log.warning("zalo: could not read the language of user %s", user_id, exc_info=True)
            return self._known.get(user_id, DEFAULT_LANGUAGE)
        lang = user.lang if user else DEFAULT_LANGUAGE
        if len(self._known) >= self.kept:
            self._known.clear()
        self._known[user_id] = lang
        return lang

    async def of(self, user_id: str) -> str:
        known = self._known.get(user_id)
        return known if known is not None else await self._read(user_id)

    async def after(self, incoming: Incoming, replies: Sequence[Reply]) -> str:
        """The language of the replies to this update, which the engine has just handled."""
        user_id = incoming.user_id
        stale = user_id in self._may_change or _is_language_command(incoming)
        if offers_languages(replies):
            self._may_change.add(user_id)
        else:
            self._may_change.discard(user_id)
        return await self._read(user_id) if stale else await self.of(user_id)
