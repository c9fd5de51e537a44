"""A messenger that fails a share of sends in every way a network can, at the HTTP layer under the real
clients (python-telegram-bot's HTTPXRequest, our Zalo client): refused before the request left (connection
refused, connect timeout), refused by an answer (429 with retry_after, 500, a proxy's 502 page), or failed
after the messenger accepted the message (read timeout, connection reset, an answer that cannot be read).

`delivered` lists the chat of every message that reached the person, duplicates included."""

from __future__ import annotations

import itertools
import json
import random
import time
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

import httpx

from bot.conversation import delivery
from tests.support.telegram_fake import BOT_ID, BOT_USERNAME, method_name

BEFORE = ("connect_refused", "connect_timeout", "429", "500", "502")
AFTER = ("read_timeout", "reset", "garbled")
# What the outbox is told of each fault: the request left on the last three, and the message may be on the
# screen, so they are never retried blindly.
MEANING: list[tuple[str, type[Exception]]] = [
    ("connect_refused", delivery.TransientFailure),
    ("connect_timeout", delivery.TransientFailure),
    ("500", delivery.TransientFailure),
    ("502", delivery.TransientFailure),
    ("429", delivery.RetryAfter),
    ("read_timeout", delivery.Uncertain),
    ("reset", delivery.Uncertain),
    ("garbled", delivery.Uncertain),
]
SENDS = ("sendMessage", "sendPhoto", "sendDocument")


class FaultyMessenger:
    def __init__(self, rate: float, seed: int = 7, only: str | None = None) -> None:
        self.rate = rate
        self.only = only
        self.rng = random.Random(seed)
        self.delivered: list[str] = []
        self.faults: Counter[str] = Counter()
        self._ids = itertools.count(1)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.answer)

    def duplicates(self) -> dict[str, int]:
        return {chat: n for chat, n in Counter(self.delivered).items() if n > 1}

    @staticmethod
    def _params(request: httpx.Request) -> dict[str, Any]:
        body = request.content.decode("utf-8")
        if request.headers.get("content-type", "").startswith("application/json"):
            loaded = json.loads(body or "{}")
            return dict(loaded) if isinstance(loaded, dict) else {}
        return {key: values[-1] for key, values in parse_qs(body).items()}

    def answer(self, request: httpx.Request) -> httpx.Response:
        method = method_name(request.url.path.rsplit("/", 1)[-1])
        if method == "getMe":
            me = {"id": BOT_ID, "is_bot": True, "first_name": "Thi đua", "username": BOT_USERNAME}
            return httpx.Response(200, json={"ok": True, "result": me})
        if method not in SENDS:
            return httpx.Response(200, json={"ok": True, "result": True})
        chat = str(self._params(request).get("chat_id"))
        if self.rng.random() < self.rate:
            fault = self.only or self.rng.choice(BEFORE + AFTER)
            self.faults[fault] += 1
            if fault in AFTER:
                self.delivered.append(chat)  # accepted and shown; only the answer is lost
            return self._fail(fault, request)
        self.delivered.append(chat)
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": int(chat), "type": "private"},
        }
        return httpx.Response(200, json={"ok": True, "result": message})

    @staticmethod
    def _fail(fault: str, request: httpx.Request) -> httpx.Response:
        if fault == "connect_refused":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        if fault == "connect_timeout":
            raise httpx.ConnectTimeout("timed out", request=request)
        if fault == "read_timeout":
            raise httpx.ReadTimeout("timed out", request=request)
        if fault == "reset":
            raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)
        if fault == "garbled":
            return httpx.Response(200, content=b"<html>upstream answer cut</html>")
        if fault == "429":
            body = {"ok": False, "error_code": 429, "description": "Too Many Requests: retry after 2"}
            return httpx.Response(429, json={**body, "parameters": {"retry_after": 2}})
        if fault == "500":
            return httpx.Response(500, json={"ok": False, "error_code": 500, "description": "Internal Server Error"})
        return httpx.Response(502, content=b"<html>502 Bad Gateway</html>")
