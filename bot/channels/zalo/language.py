"""Each Zalo user's language, for the words the channel adds to replies (how to answer without buttons).

Reading it from the database for every reply would cost a locked read per update, a third of the channel's
throughput. The engine says the person's language with each update's replies, so the channel remembers it
from there; only someone it has not heard from since it started (a reminder, say) is looked up, once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.i18n import DEFAULT_LANGUAGE

log = logging.getLogger(__name__)

KEPT = 10_000

# A person's language as stored, by their Zalo user id.
Lookup = Callable[[str], Awaitable[str]]


class Languages:
    def __init__(self, lookup: Lookup, kept: int = KEPT) -> None:
        self.lookup = lookup
        self.kept = kept
        self._known: dict[str, str] = {}

    def learn(self, user_id: str, lang: str) -> None:
        """The language the engine reported with an update's replies."""
        if user_id not in self._known and len(self._known) >= self.kept:
            self._known.clear()
        self._known[user_id] = lang

    async def of(self, user_id: str) -> str:
        known = self._known.get(user_id)
        if known is not None:
            return known
        try:
            lang = await self.lookup(user_id)
        except Exception:
            # A hint in the wrong language beats a reply not sent.
            log.warning("zalo: could not read the language of user %s", user_id, exc_info=True)
            return DEFAULT_LANGUAGE
        self.learn(user_id, lang)
        return lang
