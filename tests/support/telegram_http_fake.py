"""A fake Telegram Bot API over real HTTP on loopback, for a bot running in another process.

getUpdates behaves as Telegram's does: an update is handed out again and again until a later call's offset
confirms it, and an idle call is held open until an update is pushed or its `timeout` runs out (a client that
goes away ends its wait). Every message sent is recorded in order, with the chat and the text. With
`webhook_lanes` set and a webhook registered, pushed updates are posted to it as Telegram does (see
tests/support/webhook_lanes.py); `/_fake/...` lets a process of its own (a bench) arrange it and read how many
messages went.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import socket
import time
from dataclasses import dataclass, field
from typing import Any

import tornado.httpserver
import tornado.netutil
import tornado.web

from tests.support.telegram_fake import BOT_ID, BOT_USERNAME, TOKEN, method_name
from tests.support.webhook_lanes import Control, WebhookLanes, proxy_of

SENDS = ("sendMessage", "sendPhoto", "sendDocument")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def _params(handler: tornado.web.RequestHandler) -> dict[str, Any]:
    if handler.request.headers.get("Content-Type", "").startswith("application/json"):
        body = json.loads(handler.request.body or b"{}")
        return dict(body) if isinstance(body, dict) else {}
    params: dict[str, Any] = {}
    for key, values in handler.request.body_arguments.items():
        text = values[-1].decode("utf-8")
        try:
            params[key] = json.loads(text)
        except ValueError:
            params[key] = text
    return params


class _Method(tornado.web.RequestHandler):
    def initialize(self, fake: HttpTelegram) -> None:
        self.fake = fake
        self.answering: asyncio.Future[Any] | None = None

    async def post(self, token: str, method: str) -> None:
        if token != TOKEN:
            self.set_status(401)
            self.finish({"ok": False, "error_code": 401, "description": "Unauthorized"})
            return
        self.answering = asyncio.ensure_future(self.fake.answer(method_name(method), _params(self)))
        try:
            result = await self.answering
        except asyncio.CancelledError:
            return  # the client went away while its getUpdates was held
        self.finish({"ok": True, "result": result})

    def on_connection_close(self) -> None:
        # A held getUpdates whose client is gone (a killed bot) stops waiting; nothing else is cut short.
        if self.answering is not None and self.request.path.endswith("/getUpdates"):
            self.answering.cancel()


@dataclass
class HttpTelegram:
    updates: list[dict[str, Any]] = field(default_factory=list)
    # Every update_id below this one was confirmed by a getUpdates offset.
    confirmed: int = 0
    sent: list[tuple[str, str]] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    # When above 0 and a webhook is set, pushed updates are posted to the webhook over this many lanes.
    webhook_lanes: int = 0

    def __post_init__(self) -> None:
        self.lanes = WebhookLanes(SECRET_HEADER)
        self._server: tornado.httpserver.HTTPServer | None = None
        self._sockets: list[socket.socket] = []
        self._ids = itertools.count(5000)
        # Set (and replaced) whenever updates are pushed: what a held getUpdates waits for.
        self._pushed = asyncio.Event()

    async def start(self) -> None:
        routes: list[Any] = [
            (r"/bot([^/]+)/(\w+)", _Method, {"fake": self}),
            (r"/_fake/(\w+)", Control, {"fake": self}),
        ]
        app = tornado.web.Application(routes, log_function=lambda h: None)
        self._server = tornado.httpserver.HTTPServer(app)
        self._sockets = tornado.netutil.bind_sockets(0, "127.0.0.1")
        self._server.add_sockets(self._sockets)

    async def stop(self) -> None:
        await self.lanes.stop()
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._sockets[0].getsockname()[1]}/bot"

    def arrange(self, setup: dict[str, Any]) -> None:
        self.webhook_lanes = int(setup.get("webhook_lanes", self.webhook_lanes))
        self.lanes.proxy = proxy_of(setup)

    def stats(self) -> dict[str, Any]:
        return {"sent": len(self.sent), "calls": len(self.calls), "refused": self.lanes.refused}

    def push(self, *updates: dict[str, Any]) -> None:
        """Updates for getUpdates, or, with webhook_lanes set and a webhook registered, posted to the webhook:
        one person's updates in order on one lane, several lanes at once."""
        if not (self.webhook_lanes and self.webhook.get("url")):
            self.updates.extend(updates)
            self._pushed.set()
            self._pushed = asyncio.Event()
            return
        url, secret = str(self.webhook["url"]), str(self.webhook.get("secret_token", ""))
        for update in updates:
            person = next((str(v["from"]["id"]) for v in update.values() if isinstance(v, dict) and "from" in v), "")
            self.lanes.post(self.webhook_lanes, url, secret, person, update)

    def texts(self, chat_id: int) -> list[str]:
        return [text for chat, text in self.sent if chat == str(chat_id)]

    async def answer(self, method: str, params: dict[str, Any]) -> Any:
        self.calls.append(method)
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "Thi đua", "username": BOT_USERNAME}
        if method == "getUpdates":
            return await self._updates(params)
        if method == "setWebhook":
            self.webhook = params
            return True
        if method == "deleteWebhook":
            self.webhook = {}
            return True
        if method in SENDS:
            text = str(params.get("text") or params.get("caption") or "")
            self.sent.append((str(params.get("chat_id")), text))
            return {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": int(params.get("chat_id", 1)), "type": "private"},
                "text": text,
            }
        return True

    async def _updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        if isinstance(offset, int):
            self.confirmed = max(self.confirmed, offset)
        # Held open as Telegram holds it: until an update is pushed or the call's timeout runs out. Answering
        # an idle call at once had a polling bot ask some 20 times a second, a core's tenth spent on nothing.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + float(params.get("timeout") or 0)
        while True:
            ready = [u for u in self.updates if u["update_id"] >= self.confirmed]
            left = deadline - loop.time()
            if ready or left <= 0:
                return ready
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._pushed.wait(), left)
