"""The HTTP server messengers post updates to (Telegram's and Zalo's webhooks alike).

Each request is checked for the secret first, in constant time, before its body is read; the body is read
up to a cap and no further; it must be JSON. Only when the channel has kept the update (committed it to the
inbox) is the messenger answered 200, so a process killed at any moment never loses an update the messenger
believes delivered: anything short of 200 makes the messenger deliver it again.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.conversation.numbers import whole_number

log = logging.getLogger(__name__)

MAX_BODY = 1024 * 1024


class Refused(Exception):
    """The body is JSON but not an update the channel can keep (answered 400 with this description)."""


# Keep one update (parsed JSON); raises Refused for a body that is not an update.
Keep = Callable[[Any], Awaitable[None]]


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    def initialize(self, header: str, secret: bytes, keep: Keep) -> None:
        self.header = header
        self.secret = secret
        self.keep = keep
        self.chunks: list[bytes] = []
        self.size = 0

    def prepare(self) -> None:
        if self.request.method != "POST":
            return  # tornado answers 405 itself
        given = self.request.headers.get(self.header, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self.secret):
            self._answer(403, "forbidden")
            return
        length = self.request.headers.get("Content-Length")
        size = None if length is None else whole_number(length)
        if length is not None and (size is None or size > MAX_BODY):
            self._answer(413, "too large")

    def data_received(self, chunk: bytes) -> None:
        if self._finished:
            return
        self.size += len(chunk)
        if self.size > MAX_BODY:
            self.chunks = []
            self._answer(413, "too large")
            return
        self.chunks.append(chunk)

    async def post(self) -> None:
        try:
            body = json.loads(b"".join(self.chunks) or b"null")
        except ValueError:
            self._answer(400, "not JSON")
            return
        try:
            await self.keep(body)
        except Refused as refused:
            self._answer(400, str(refused))
            return
        except Exception:
            # Not kept: the messenger must deliver it again, so it is not told otherwise.
            log.exception("webhook: an update could not be kept")
            self._answer(503, "try again")
            return
        self._answer(200, "")

    def _answer(self, status: int, description: str) -> None:
        self.set_status(status)
        body: dict[str, Any] = {"ok": status == 200}
        if description:
            body["description"] = description
        self.finish(body)


def update_route(path: str, header: str, secret: str, keep: Keep) -> tuple[str, type[UpdateHandler], dict[str, Any]]:
    """The route for `path` (as in the public URL, so a reverse proxy can pass requests on unchanged)."""
    return (
        re.escape("/" + path.strip("/")),
        UpdateHandler,
        {"header": header, "secret": secret.encode(), "keep": keep},
    )


def _log_request(handler: tornado.web.RequestHandler) -> None:
    # Tornado's access log would print secret addresses (published files); status and method suffice.
    log.debug("webhook: %s %s", handler.request.method, handler.get_status())


class WebhookServer:
    def __init__(self, routes: list[Any], listen: str, port: int) -> None:
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
