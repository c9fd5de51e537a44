"""The webhook: a tornado HTTP server that Zalo posts updates to.

Every request must carry the secret given to setWebhook in X-Bot-Api-Secret-Token (compared in constant
time); anything else gets 403. A good update is queued and answered 200 at once: the conversation runs after
the answer, so Zalo never waits on our database or on our replies. The same server hands out the images
the bot published for sendPhoto.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import socket
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.channels.zalo.inbox import Inbox
from bot.channels.zalo.mapping import unwrap
from bot.channels.zalo.published import TOKEN_PATTERN, PublishedFiles

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024


class UpdateHandler(tornado.web.RequestHandler):
    def initialize(self, secret: bytes, inbox: Inbox) -> None:
        self.secret = secret
        self.inbox = inbox

    def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self.secret):
            self._answer(403, {"ok": False, "description": "forbidden"})
            return
        try:
            body = json.loads(self.request.body or b"null")
        except ValueError:
            self._answer(400, {"ok": False, "description": "not JSON"})
            return
        update = unwrap(body)
        if update is None:
            self._answer(400, {"ok": False, "description": "not an update"})
            return
        self.inbox.submit(update)
        self._answer(200, {"ok": True})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        self.set_status(status)
        self.finish(body)


class PublishedFileHandler(tornado.web.RequestHandler):
    def initialize(self, published: PublishedFiles) -> None:
        self.published = published

    async def get(self, token: str) -> None:
        item = self.published.lookup(token)
        if item is None:
            raise tornado.web.HTTPError(404)
        try:
            data = await asyncio.to_thread(item.path.read_bytes)
        except OSError:
            raise tornado.web.HTTPError(404) from None
        self.set_header("Content-Type", item.mime)
        self.set_header("Cache-Control", "private, max-age=3600")
        self.finish(data)


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # Tornado's access log would print each published file's secret address; status and method suffice.
    log.debug("zalo webhook: %s %s", handler.request.method, handler.get_status())


class WebhookServer:
    def __init__(
        self,
        path: str,
        secret: str,
        inbox: Inbox,
        published: PublishedFiles | None,
        listen: str,
        port: int,
    ) -> None:
        path = "/" + path.strip("/")
        routes: list[Any] = [(re.escape(path), UpdateHandler, {"secret": secret.encode("utf-8"), "inbox": inbox})]
        if published is not None:
            files = re.escape(path.rstrip("/") + "/files/") + f"({TOKEN_PATTERN})"
            routes.append((files, PublishedFileHandler, {"published": published}))
        self.app = tornado.web.Application(routes, log_function=_log_request)
        self.listen = listen
        self.requested_port = port
        self.server: tornado.httpserver.HTTPServer | None = None
        self.sockets: list[socket.socket] = []

    @property
    def port(self) -> int:
        return int(self.sockets[0].getsockname()[1]) if self.sockets else self.requested_port

    def start(self) -> None:
        self.server = tornado.httpserver.HTTPServer(self.app, max_body_size=MAX_BODY, idle_connection_timeout=60)
        self.sockets = tornado.netutil.bind_sockets(self.requested_port, self.listen)
        self.server.add_sockets(self.sockets)

    async def stop(self) -> None:
        if self.server is None:
            return
        self.server.stop()
        await self.server.close_all_connections()
        self.server = None
        self.sockets = []
