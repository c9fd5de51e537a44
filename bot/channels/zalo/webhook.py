"""Zalo's webhook: updates posted with the secret given to setWebhook in X-Bot-Api-Secret-Token, kept in the
inbox before Zalo is answered 200 (see bot/channels/webhook.py). The same server hands out the images the bot
published for sendPhoto."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import tornado.web

from bot.channels.webhook import Keep, WebhookServer, update_route
from bot.channels.zalo.published import TOKEN_PATTERN, PublishedFiles

SECRET_HEADER = "X-Bot-Api-Secret-Token"


class PublishedFileHandler(tornado.web.RequestHandler):
    def initialize(self, published: PublishedFiles) -> None:
        self.published = published

    async def get(self, token: str) -> None:
        item = await self.published.lookup(token)
        if item is None:
            raise tornado.web.HTTPError(404)
        try:
            data = await asyncio.to_thread(item.path.read_bytes)
        except OSError:
            raise tornado.web.HTTPError(404) from None
        self.set_header("Content-Type", item.mime)
        self.set_header("Cache-Control", "private, max-age=3600")
        self.finish(data)


def zalo_webhook(
    path: str, secret: str, keep: Keep, published: PublishedFiles | None, listen: str, port: int
) -> WebhookServer:
    routes: list[Any] = [update_route(path, SECRET_HEADER, secret, keep)]
    if published is not None:
        base = "/" + path.strip("/")
        files = re.escape(base.rstrip("/") + "/files/") + f"({TOKEN_PATTERN})"
        routes.append((files, PublishedFileHandler, {"published": published}))
    return WebhookServer(routes, listen, port)
