"""Where Zalo updates go, from the poller or the webhook: kept in the inbox first (committed), then answered by
the inbox worker, one person's updates strictly in the order they came, different people side by side."""

from __future__ import annotations

import contextlib
import json
import logging
from typing import Any

from bot.channels.webhook import Refused
from bot.channels.zalo import CHANNEL
from bot.channels.zalo.client import ZaloClient, ZaloError
from bot.channels.zalo.files import ZaloFiles
from bot.channels.zalo.language import Languages
from bot.channels.zalo.mapping import arrival_of, to_incoming, unwrap
from bot.channels.zalo.retry import RetryPolicy
from bot.channels.zalo.sender import ZaloSender
from bot.conversation.messages import Incoming, Reply
from bot.engine.engine import Engine
from bot.inbox.worker import InboxWorker, confirm_sent
from bot.storage.inbox import InboxRow

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
        self.worker = InboxWorker(engine.db, CHANNEL, engine.services.clock, self._handle, self._send_again)

    async def keep(self, update: dict[str, Any]) -> bool:
        """Commit one update to the inbox; False if it was kept before. Raises Refused for one that cannot be
        told apart from another (no message id): handling it could mean handling it twice."""
        arrival = arrival_of(update)
        if arrival is None:
            raise Refused("no message id")
        return await self.worker.keep(arrival)

    async def keep_body(self, body: object) -> None:
        """A webhook's body: the update, flat or wrapped."""
        update = unwrap(body)
        if update is None:
            raise Refused("not an update")
        await self.keep(update)

    async def _handle(self, row: InboxRow) -> bool:
        try:
            incoming = to_incoming(json.loads(row.payload))
        except ValueError:
            log.warning("zalo: an update that does not fit the known shapes was ignored")
            return False
        if incoming is None:
            return False
        await self.answer(incoming, row.id)
        return True

    async def answer(self, incoming: Incoming, inbox_id: int | None = None) -> None:
        """Run one update through the engine and send what it says; a failure is logged, never raised."""
        try:
            if incoming.attachments:
                # A download can take a while on a slow line: show that something is happening.
                with contextlib.suppress(ZaloError):
                    await self.client.send_chat_action(incoming.chat_id, "typing")
            outcome = await self.engine.answer(incoming, self.files, inbox_id=inbox_id)
            if outcome.lang is not None:
                self.languages.learn(incoming.user_id, outcome.lang)
            sent = 0
            try:
                for reply in outcome.replies:
                    await self.sender.deliver(incoming.chat_id, reply, outcome.lang, self.policy)
                    sent += 1
            finally:
                if inbox_id is not None:
                    await confirm_sent(self.engine.db, self.engine.services.clock, inbox_id, sent)
        except ZaloError as exc:
            log.warning("zalo: could not answer user %s: %s", incoming.user_id, exc)
        except Exception:
            log.exception("zalo: answering user %s failed", incoming.user_id)

    async def _send_again(self, chat_id: str, replies: list[Reply]) -> int:
        """Kept replies that were never confirmed sent; returns how many went."""
        sent = 0
        for reply in replies:
            try:
                await self.sender.deliver(chat_id, reply, None, self.policy)
            except ZaloError as exc:
                log.warning("zalo: could not send a reply again to %s: %s", chat_id, exc)
                break
            sent += 1
        return sent

    async def run(self) -> None:
        await self.worker.run()

    @property
    def in_progress(self) -> int:
        return self.worker.in_progress

    async def room(self, limit: int) -> None:
        await self.worker.room(limit)

    async def join(self) -> None:
        """Wait until every update kept so far is answered."""
        await self.worker.join()

    async def close(self, grace: float = 5.0) -> None:
        await self.worker.close(grace)
