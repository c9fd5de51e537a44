"""Sending replies on Zalo: as answers to a user (retried here) and for the outbox (errors translated, the
outbox retries)."""

from __future__ import annotations

import asyncio
import functools
import random
from collections.abc import Awaitable, Callable

from bot.channels.zalo import CHANNEL
from bot.channels.zalo.client import RATE_LIMITED, UNAUTHORIZED, ZaloApiError, ZaloClient, ZaloError
from bot.channels.zalo.published import PublishedFiles
from bot.channels.zalo.render import Outgoing, PhotoMessage, is_image, needs_words, render
from bot.channels.zalo.retry import NO_RETRY, RetryPolicy, Sleep, maybe_sent, retryable, with_retries
from bot.conversation import delivery
from bot.conversation.messages import Reply
from bot.i18n import DEFAULT_LANGUAGE, Catalog

# Zalo's 429 ("quota exceeded") names no wait; a minute lets a per-minute quota refill.
DEFAULT_RETRY_AFTER = 60.0
_REFUSALS = ("block", "forbidden", "not allowed", "permission", "chat", "user")

LanguageOf = Callable[[str], Awaitable[str]]


def delivery_error(exc: ZaloError) -> delivery.DeliveryError:
    """What the outbox should do about a failed send."""
    if maybe_sent(exc):
        return delivery.Uncertain(str(exc))
    if isinstance(exc, ZaloApiError) and RATE_LIMITED in (exc.error_code, exc.http_status):
        return delivery.RetryAfter(exc.retry_after or DEFAULT_RETRY_AFTER, str(exc))
    if retryable(exc):
        return delivery.TransientFailure(str(exc))
    assert isinstance(exc, ZaloApiError)
    if exc.error_code == UNAUTHORIZED:
        # The bot's token, not this message: once the operator fixes it, the message should still go.
        return delivery.TransientFailure(str(exc))
    if exc.error_code == 403 and not any(word in exc.description.lower() for word in _REFUSALS):
        # One public table of Zalo's codes calls 403 "internal server error"; a refusal names what it refuses.
        return delivery.TransientFailure(str(exc))
    return delivery.PermanentFailure(str(exc))


class ZaloSender:
    channel = CHANNEL

    def __init__(
        self,
        client: ZaloClient,
        catalog: Catalog,
        language_of: LanguageOf,
        published: PublishedFiles | None = None,
        *,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.client = client
        self.catalog = catalog
        self.language_of = language_of
        self.published = published
        self.sleep = sleep
        self.rng = rng or random.Random()

    async def send(self, chat_id: str, reply: Reply) -> None:
        """For the outbox: one try per message; the outbox keeps the attempts and the back-off."""
        try:
            await self.deliver(chat_id, reply)
        except ZaloError as exc:
            raise delivery_error(exc) from None

    async def deliver(
        self, chat_id: str, reply: Reply, lang: str | None = None, policy: RetryPolicy = NO_RETRY
    ) -> None:
        """Every message of one reply, in order, each tried up to policy.attempts times. Raises ZaloError."""
        if lang is None:
            # In a private chat the chat is the person, so their language is found by the chat's id.
            lang = await self.language_of(chat_id) if needs_words(reply) else DEFAULT_LANGUAGE
        photo_url = None
        if reply.file is not None and self.published is not None and is_image(reply.file):
            photo_url = await self.published.publish(reply.file)
        album_urls = tuple(
            [
                await self.published.publish(file) if self.published is not None and is_image(file) else None
                for file in reply.album
            ]
        )
        for message in render(reply, self.catalog, lang, photo_url, album_urls):
            await with_retries(
                functools.partial(self._send_one, chat_id, message),
                policy,
                sleep=self.sleep,
                rng=self.rng,
                idempotent=False,
            )

    async def _send_one(self, chat_id: str, message: Outgoing) -> None:
        if isinstance(message, PhotoMessage):
            await self.client.send_photo(chat_id, message.url, message.caption)
        else:
            await self.client.send_message(chat_id, message.text)
