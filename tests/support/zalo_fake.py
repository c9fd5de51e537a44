"""A fake of Zalo's Bot API: a real HTTP server on 127.0.0.1, speaking the shapes public sources describe.

`POST /bot<TOKEN>/<method>` with JSON, answered `{"ok": true, "result": ...}` or `{"ok": false, "error_code",
"description"}`. getUpdates hands out one queued update per call, or after a short hold answers the idle
408 (alternately as an `error_code` in a 200 answer and as an HTTP 408, since sources describe both).
sendMessage refuses texts over 2,000 characters as Zalo does. sendPhoto fetches the photo's URL when it is
on loopback, as Zalo's servers would. Troubles (an error answer, a 5xx, garbage, a slow answer) can be
queued per method; every call is recorded. With `webhook_lanes` set it posts pushed updates to the webhook
registered with setWebhook, as Zalo does; `/_fake/...` lets a process of its own (the bench) arrange it.

Below the fake: ZaloChat, a person talking to the bot through it, by polling or by webhook.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import socket
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import tornado.httpserver
import tornado.netutil
import tornado.web

from bot.app import App, build_app
from bot.channels.tls import tls_context
from bot.channels.zalo.retry import RetryPolicy
from bot.channels.zalo.runner import ZaloChannel, start_zalo, stop_zalo
from bot.channels.zalo.webhook import SECRET_HEADER
from bot.clock import Clock
from bot.settings import Settings
from tests.support.config import make_settings
from tests.support.webhook_lanes import Control, WebhookLanes, proxy_of

TOKEN = "1459232241454765289:FAKE-zalo-token-Abc123"
TEXT_LIMIT = 2000


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    status: int = 200
    ok: bool = True


@dataclass
class Trouble:
    """One bad answer to the next call of a method: `body` is JSON (dict) or raw text; `delay` holds the
    answer back that many seconds (longer than the client waits makes a timeout)."""

    status: int = 200
    body: dict[str, Any] | str | None = None
    delay: float = 0.0


def api_error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


class _MethodHandler(tornado.web.RequestHandler):
    def initialize(self, fake: FakeZalo) -> None:
        self.fake = fake
        self.polling: asyncio.Future[tuple[int, dict[str, Any] | str]] | None = None

    async def post(self, token: str, method: str) -> None:
        try:
            params = json.loads(self.request.body or b"{}")
        except ValueError:
            params = {}
        answer = self.fake.answer(token, method, params if isinstance(params, dict) else {})
        if method != "getUpdates":
            status, body = await answer
        else:
            self.polling = asyncio.ensure_future(answer)
            try:
                status, body = await self.polling
            except asyncio.CancelledError:
                return  # the client went away while its poll was held: no update was taken for it
        self.set_status(status)
        if isinstance(body, str):
            self.set_header("Content-Type", "text/html")
            self.finish(body)
        else:
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps(body))

    def on_connection_close(self) -> None:
        # A held getUpdates whose client is gone (a stopped poller, a killed bot) stops waiting rather than
        # taking the next update pushed for a client that will never read it.
        if self.polling is not None:
            self.polling.cancel()


class _FileHandler(tornado.web.RequestHandler):
    def initialize(self, fake: FakeZalo) -> None:
        self.fake = fake

    async def get(self, name: str) -> None:
        data = self.fake.files.get(name)
        if data is None:
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", "application/octet-stream")
        if name.startswith("chunked-"):
            # Sent in pieces without a Content-Length, as a server that does not say the size would.
            for start in range(0, len(data), 16_384):
                self.write(data[start : start + 16_384])
                await self.flush()
                self.fake.served_chunks += 1
        self.finish(b"" if name.startswith("chunked-") else data)


@dataclass
class FakeZalo:
    token: str = TOKEN
    # How long an idle getUpdates is held open (capped by the client's own `timeout`, as Zalo holds it): until
    # an update is pushed or the client goes away. A test that wants idle answers often sets a short hold.
    hold: float = 60.0
    results_as_list: bool = False
    calls: list[Call] = field(default_factory=list)
    troubles: dict[str, list[Trouble]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    fetched_photos: list[bytes] = field(default_factory=list)
    webhook: dict[str, str] = field(default_factory=dict)
    # Where the bot's webhook server is reached on loopback (the path of the public URL given to setWebhook).
    webhook_path: str = "/zalo/hook"
    # A public address prefix and the loopback address it reaches (what DNS and a reverse proxy would do).
    proxy: tuple[str, str] | None = None
    # When above 0 and a webhook is set, pushed updates are posted to the webhook over this many lanes.
    webhook_lanes: int = 0
    idle_answers: int = 0
    # Messages and photos sent successfully, counted as they go (cheaper to watch than the list of calls).
    sent_count: int = 0
    served_chunks: int = 0
    polls: int = 0
    # The getUpdates call number that handed out the latest update, and how many pushed are not handed out.
    delivered_on: int = 0
    not_taken: int = 0

    def __post_init__(self) -> None:
        self.updates: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._server: tornado.httpserver.HTTPServer | None = None
        self._sockets: list[socket.socket] = []
        self._idle_forms = itertools.cycle(("body", "http"))
        self.lanes = WebhookLanes(SECRET_HEADER)
        self._fetcher: httpx.AsyncClient | None = None

    # -- running ---------------------------------------------------------------------------------------
    async def start(self, port: int = 0) -> None:
        app = tornado.web.Application(
            [
                (r"/bot([^/]+)/(\w+)", _MethodHandler, {"fake": self}),
                (r"/files/([\w.-]+)", _FileHandler, {"fake": self}),
                (r"/_fake/(\w+)", Control, {"fake": self}),
            ],
            log_function=lambda handler: None,
        )
        self._server = tornado.httpserver.HTTPServer(app)
        self._sockets = tornado.netutil.bind_sockets(port, "127.0.0.1")
        self._server.add_sockets(self._sockets)

    async def stop(self) -> None:
        await self.lanes.stop()
        if self._fetcher is not None:
            await self._fetcher.aclose()
        if self._server is not None:
            self._server.stop()
            await self._server.close_all_connections()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._sockets[0].getsockname()[1]}"

    def file_url(self, name: str) -> str:
        return f"{self.base_url}/files/{name}"

    # -- what a test arranges --------------------------------------------------------------------------
    def arrange(self, setup: dict[str, Any]) -> None:
        self.hold = float(setup.get("hold", self.hold))
        self.webhook_lanes = int(setup.get("webhook_lanes", self.webhook_lanes))
        self.proxy = proxy_of(setup)

    def stats(self) -> dict[str, Any]:
        return {"sent": self.sent_count, "polls": self.polls, "idle": self.idle_answers, "refused": self.lanes.refused}

    def push(self, *updates: dict[str, Any]) -> None:
        """Queue updates for getUpdates, or, with webhook_lanes set and a webhook registered, post them to it
        as Zalo would: one person's updates in order on one lane, several lanes at once."""
        if not (self.webhook_lanes and self.webhook):
            for update in updates:
                self.updates.put_nowait(update)
                self.not_taken += 1
            return
        self.lanes.proxy = self.proxy
        for update in updates:
            sender = str(update.get("message", {}).get("from", {}).get("id", ""))
            body = {"ok": True, "result": update}
            self.lanes.post(self.webhook_lanes, self.webhook["url"], self.webhook["secret_token"], sender, body)

    def fail(self, method: str, *troubles: Trouble) -> None:
        self.troubles.setdefault(method, []).extend(troubles)

    # -- the API ---------------------------------------------------------------------------------------
    async def answer(self, token: str, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any] | str]:
        call = Call(method, params)
        self.calls.append(call)
        if token != self.token:
            call.status, call.ok = 401, False
            return 401, api_error(401, "Unauthorized")
        if method == "getUpdates":
            self.polls += 1
        queued = self.troubles.get(method)
        if queued:
            trouble = queued.pop(0)
            call.ok = False
            if trouble.delay:
                await asyncio.sleep(trouble.delay)
            call.status = trouble.status
            return trouble.status, trouble.body if trouble.body is not None else {"ok": True, "result": {}}
        try:
            status, body = await self._result(method, params)
        except asyncio.CancelledError:
            call.status, call.ok = 499, False  # the client closed the connection first (as nginx logs it)
            raise
        call.status, call.ok = status, bool(isinstance(body, dict) and body.get("ok"))
        if call.ok and method in ("sendMessage", "sendPhoto"):
            self.sent_count += 1
        return status, body

    async def _result(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        now = int(time.time() * 1000)
        sent = {"ok": True, "result": {"message_id": f"bot{len(self.calls):06x}", "date": now}}
        if method == "getMe":
            return 200, {"ok": True, "result": {"id": self.token.split(":")[0], "account_name": "bot.ThiDua"}}
        if method == "getUpdates":
            return await self._next_update(params)
        if method == "setWebhook":
            url, secret = str(params.get("url", "")), str(params.get("secret_token", ""))
            if not url.startswith("https://") or not 8 <= len(secret) <= 256:
                return 400, api_error(400, "Bad request")
            self.webhook = {"url": url, "secret_token": secret}
            return 200, {"ok": True, "result": {"url": url, "updated_at": now}}
        if method == "deleteWebhook":
            self.webhook = {}
            return 200, {"ok": True, "result": {"url": "", "updated_at": now}}
        if method == "getWebhookInfo":
            return 200, {"ok": True, "result": {"url": self.webhook.get("url", ""), "updated_at": now}}
        if method == "sendMessage":
            text = params.get("text")
            if not params.get("chat_id") or not isinstance(text, str) or not 1 <= len(text) <= TEXT_LIMIT:
                return 400, api_error(400, "Bad request")
            return 200, sent
        if method == "sendPhoto":
            photo, caption = params.get("photo"), params.get("caption")
            if not params.get("chat_id") or not isinstance(photo, str) or not photo.startswith("http"):
                return 400, api_error(400, "Bad request")
            if caption is not None and not 1 <= len(str(caption)) <= TEXT_LIMIT:
                return 400, api_error(400, "Bad request")
            await self._fetch_photo(photo)
            return 200, sent
        if method == "sendChatAction":
            return 200, {"ok": True}
        return 404, api_error(404, "Not found")

    async def _next_update(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        hold = min(float(params.get("timeout") or 30), self.hold)
        try:
            update = await asyncio.wait_for(self.updates.get(), timeout=hold)
        except TimeoutError:
            self.idle_answers += 1
            form = next(self._idle_forms)
            return (408 if form == "http" else 200), api_error(408, "Request timeout")
        # Counted together, in one step: the queue empties a moment before this code runs again.
        self.delivered_on = self.polls
        self.not_taken -= 1
        return 200, {"ok": True, "result": [update] if self.results_as_list else update}

    async def _fetch_photo(self, url: str) -> None:
        if self.proxy is not None and url.startswith(self.proxy[0]):
            url = self.proxy[1] + url[len(self.proxy[0]) :]
        if not url.startswith("http://127.0.0.1:"):
            return
        if self._fetcher is None:
            # One client for every fetch: making one costs more than the fetch on a busy machine.
            self._fetcher = httpx.AsyncClient(timeout=30, verify=tls_context())
        response = await self._fetcher.get(url)
        if response.status_code == 200:
            self.fetched_photos.append(response.content)

    # -- what a test reads back ------------------------------------------------------------------------
    def sent(self, chat_id: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.ok
            and c.method in ("sendMessage", "sendPhoto")
            and (chat_id is None or c.params.get("chat_id") == chat_id)
        ]

    def texts(self, chat_id: str | None = None) -> list[str]:
        return [str(c.params.get("text") or c.params.get("caption") or "") for c in self.sent(chat_id)]

    def attempts(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    @property
    def settled(self) -> bool:
        """Every pushed update was handed out, and the poller came back for more since the last one (so it
        has passed that update on)."""
        return self.not_taken == 0 and self.polls > self.delivered_on


async def wait_for(condition: Callable[[], object], seconds: float = 5.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - the fake records calls; there is no event to wait on
            await asyncio.sleep(0.005)


class ZaloPerson:
    """Builds Zalo updates for one person in a private chat (the chat's id is the person's)."""

    _ids = itertools.count(1)

    def __init__(self, user_id: str = "6ede9afa66b88fe6d6a9", name: str = "Lan", chat_type: str = "PRIVATE") -> None:
        self.user_id = user_id
        self.name = name
        self.chat_type = chat_type
        self.chat_id = user_id

    def _update(self, event: str, **content: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "from": {"id": self.user_id, "display_name": self.name, "is_bot": False},
            "chat": {"id": self.chat_id, "chat_type": self.chat_type},
            "message_id": f"{next(self._ids):020x}",
            "date": int(time.time() * 1000),
            **content,
        }
        return {"event_name": event, "message": message}

    def text(self, text: str) -> dict[str, Any]:
        return self._update("message.text.received", text=text)

    def image(self, url: str, caption: str | None = None, field_name: str = "photo_url") -> dict[str, Any]:
        content: dict[str, Any] = {field_name: url}
        if caption is not None:
            content["caption"] = caption
        return self._update("message.image.received", **content)

    def sticker(self) -> dict[str, Any]:
        return self._update("message.sticker.received", sticker="0e078a2fb66a5f34067b", url="https://example.org/s")

    def unsupported(self) -> dict[str, Any]:
        return self._update("message.unsupported.received")


def numbered(text: str) -> list[str]:
    """The labels of the last numbered list ("1. Cá nhân") in a rendered message: the choices, which come
    after anything numbered in the text itself (the summary numbers its answers too)."""
    blocks = [re.findall(r"^\d+\. (.+)$", block, re.MULTILINE) for block in text.split("\n\n")]
    return next((labels for labels in reversed(blocks) if labels), [])


# -- a person talking to the bot through the fake ---------------------------------------------------------

FAST = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05)
SECRET = "webhook-Secret_123"
# How long the bot waits for an answer of the fake: long enough for a loaded test machine (a sendPhoto's answer
# waits for the fake to fetch the photo from the bot); a test of timeouts gives its own, shorter.
REQUEST_TIMEOUT = 5.0


def zalo_settings(tmp_path: Path, fake: FakeZalo, **overrides: object) -> Settings:
    values: dict[str, object] = {"zalo_bot_token": fake.token, "zalo_api_base_url": fake.base_url}
    return make_settings(tmp_path, **{**values, **overrides})


async def start_channel(app: App, *, request_timeout: float = REQUEST_TIMEOUT) -> ZaloChannel:
    return await start_zalo(app, policy=FAST, request_timeout=request_timeout, poll_timeout=1, poll_pause=0.01)


@asynccontextmanager
async def running_zalo(
    tmp_path: Path, clock: Clock, fake: FakeZalo, *, request_timeout: float = REQUEST_TIMEOUT, **overrides: object
) -> AsyncIterator[tuple[App, ZaloChannel]]:
    """The bot on a real SQLite file, its Zalo channel started against the fake (polling unless a webhook
    URL is among the overrides)."""
    app = await build_app(zalo_settings(tmp_path, fake, **overrides), clock)
    try:
        channel = await start_channel(app, request_timeout=request_timeout)
        try:
            yield app, channel
        finally:
            await stop_zalo(app, channel)
    finally:
        await app.close()


class ZaloChat:
    """One person's chat with the bot, by long polling (the update is queued at the fake) or by webhook (the
    update is posted to the bot's endpoint with the secret). Each send waits until the bot has answered."""

    def __init__(self, fake: FakeZalo, channel: ZaloChannel, person: ZaloPerson | None = None) -> None:
        self.fake = fake
        self.channel = channel
        self.person = person or ZaloPerson()
        self.last: list[str] = []

    @property
    def webhook_url(self) -> str | None:
        server = self.channel.webhook
        return f"http://127.0.0.1:{server.port}{self.fake.webhook_path}" if server is not None else None

    async def send(self, update: dict[str, Any], *, wrapped: bool = True) -> list[str]:
        before = len(self.fake.sent(self.person.chat_id))
        url = self.webhook_url
        if url is None:
            self.fake.push(update)
            await wait_for(lambda: self.fake.settled)
        else:
            body = {"ok": True, "result": update} if wrapped else update
            # The process's TLS context: building one per client cost more than the request.
            async with httpx.AsyncClient(verify=tls_context()) as client:
                response = await client.post(url, json=body, headers={"X-Bot-Api-Secret-Token": SECRET})
            assert response.status_code == 200, response.text
        await self.channel.inbox.join()
        self.last = self.fake.texts(self.person.chat_id)[before:]
        return self.last

    async def say(self, text: str) -> list[str]:
        return await self.send(self.person.text(text))

    @property
    def text(self) -> str:
        return "\n".join(self.last)

    @property
    def choices(self) -> list[str]:
        return numbered(self.last[-1]) if self.last else []


PUBLIC = "https://bot.example.org"


WEBHOOK: dict[str, Any] = {
    "zalo_webhook_url": f"{PUBLIC}/zalo/hook",
    "zalo_webhook_secret": SECRET,
    "zalo_webhook_listen": "127.0.0.1",
    "zalo_webhook_port": 0,
}
