"""Updates of different users handled at once, each user's in the order Telegram sent them.

Answering one update takes several round trips to Telegram; one at a time for the whole bot, a busy
deadline day would queue everyone behind everyone else. A conversation, though, must see its own
messages in order (a button pressed, then the next answer typed).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# PTB's own limit is taken before our per-user turn, and updates waiting on it may start in any order;
# so it is set out of reach and the real limit below is taken once the user's turn has come.
_UNREACHABLE = 1_000_000


class PerUserOrder(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(_UNREACHABLE)
        self._running = asyncio.Semaphore(max_concurrent_updates)
        self._turns: dict[int, asyncio.Lock] = {}
        self._queued: dict[int, int] = {}

    @staticmethod
    def _key(update: object) -> int | None:
        if isinstance(update, Update) and update.effective_user is not None:
            return update.effective_user.id
        return None

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = self._key(update)
        if key is None:
            async with self._running:
                await coroutine
            return
        # Tasks reach this line in the order the updates arrived, with no await before it, and an
        # asyncio.Lock hands itself over in the order it was asked for.
        turn = self._turns.setdefault(key, asyncio.Lock())
        self._queued[key] = self._queued.get(key, 0) + 1
        try:
            async with turn, self._running:
                await coroutine
        finally:
            self._queued[key] -= 1
            if not self._queued[key]:
                del self._queued[key]
                del self._turns[key]

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None
