"""Where Zalo updates go, from the poller or the webhook: each is answered in a task of its own, one person's
updates strictly in the order they came, different people side by side."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from typing import Any

from bot.channels.zalo.client import ZaloClient, ZaloError
from bot.channels.zalo.files import ZaloFiles
from bot.channels.zalo.language import Languages
from bot.channels.zalo.mapping import to_incoming
from bot.channels.zalo.retry import RetryPolicy
from bot.channels.zalo.sender import ZaloSender
from bot.engine.engine import Engine
from bot.engine.messages import Incoming

log = logging.getLogger(__name__)


class Inbox:
    def __init__(
        self,
        engine: Engine,
        client: ZaloClient,
        sender: ZaloSender,
        languages: Languages,
        policy: RetryPolicy | None = None,
    ) -> None:
        self.engine = engine
        self.client = client
        self.sender = sender
        self.languages = languages
        self.policy = policy or RetryPolicy()
        self.files = ZaloFiles(client.http)
        self._last: dict[str, asyncio.Task[None]] = {}
        self._running: set[asyncio.Task[None]] = set()
        # Set whenever an answer finishes: cheaper to wait on than every running task.
        self._finished = asyncio.Event()

    def submit(self, update: dict[str, Any]) -> bool:
        """Queue one update for answering and return at once; False if it is nothing to answer."""
        try:
            incoming = to_incoming(update)
        except ValueError:
            log.warning("zalo: an update that does not fit the known shapes was ignored")
            return False
        if incoming is None:
            return False
        previous = self._last.get(incoming.user_id)
        task = asyncio.create_task(self._after(previous, incoming))
        self._last[incoming.user_id] = task
        self._running.add(task)
        task.add_done_callback(functools.partial(self._forget, incoming.user_id))
        return True

    def _forget(self, user_id: str, task: asyncio.Task[None]) -> None:
        self._running.discard(task)
        if self._last.get(user_id) is task:
            del self._last[user_id]
        self._finished.set()

    async def _after(self, previous: asyncio.Task[None] | None, incoming: Incoming) -> None:
        if previous is not None:
            await asyncio.wait([previous])
        await self.answer(incoming)

    async def answer(self, incoming: Incoming) -> None:
        """Run one update through the engine and send what it says; a failure is logged, never raised."""
        try:
            if incoming.attachments:
                # A download can take a while on a slow line: show that something is happening.
                with contextlib.suppress(ZaloError):
                    await self.client.send_chat_action(incoming.chat_id, "typing")
            replies = await self.engine.handle(incoming, self.files)
            lang = await self.languages.after(incoming, replies)
            for reply in replies:
                await self.sender.deliver(incoming.chat_id, reply, lang, self.policy)
        except ZaloError as exc:
            log.warning("zalo: could not answer user %s: %s", incoming.user_id, exc)
        except Exception:
            log.exception("zalo: answering user %s failed", incoming.user_id)

    @property
    def in_progress(self) -> int:
        return len(self._running)

    async def room(self, limit: int) -> None:
        """Wait until fewer than `limit` updates are being answered: the poller takes no more than the bot can
        keep up with, and what it has not taken waits at Zalo rather than in our memory."""
        while len(self._running) >= limit:
            self._finished.clear()
            await self._finished.wait()

    async def join(self) -> None:
        """Wait until every update submitted so far is answered."""
        while self._running:
            await asyncio.wait(set(self._running))

    async def close(self, grace: float = 5.0) -> None:
        """Let the answers in progress finish for a moment, then stop the rest."""
        if not self._running:
            return
        _, pending = await asyncio.wait(set(self._running), timeout=grace)
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
