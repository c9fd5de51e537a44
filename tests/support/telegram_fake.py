"""A fake Telegram Bot API at python-telegram-bot's HTTP request layer: nothing leaves the process.

It answers the methods the bot calls with Bot API shaped JSON, records every call with its decoded
parameters, serves file downloads from memory, and hands queued updates to getUpdates.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot, Update
from telegram.request import BaseRequest, RequestData

TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz"
BOT_ID = 123456
BOT_USERNAME = "thidua_bot"
_message_ids = itertools.count(1000)
SENDS = ("sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup")
# The Bot API's method names are case-insensitive, and the bot calls some in lower case (render.call).
_METHODS = {name.lower(): name for name in dir(Bot) if not name.startswith("_") and name != name.lower()}


def method_name(called: str) -> str:
    """A method as the Bot API documents it ("sendMessage"), however the call spelled it."""
    return _METHODS.get(called.lower(), called)


@dataclass
class Call:
    url: str
    method: str
    params: dict[str, Any]
    uploads: dict[str, bytes] = field(default_factory=dict)
    ok: bool = True
    result: Any = None

    @property
    def markup(self) -> dict[str, Any]:
        return dict(self.params.get("reply_markup") or {})

    @property
    def buttons(self) -> list[str]:
        return [button["text"] for row in self.markup.get("inline_keyboard", []) for button in row]


@dataclass
class FakeTelegram(BaseRequest):
    calls: list[Call] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    updates: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    # Method name -> answers to give, in turn, instead of success: (HTTP status, description, parameters).
    failures: dict[str, list[tuple[int, str, dict[str, Any] | None]]] = field(default_factory=dict)
    # Method name -> exceptions to raise, in turn, as the HTTP layer would (a timeout, a lost connection).
    raises: dict[str, list[Exception]] = field(default_factory=dict)
    # Chat id -> an event that sendMessage to that chat waits for (to hold one user's answer back).
    holds: dict[int, asyncio.Event] = field(default_factory=dict)
    downloads: list[str] = field(default_factory=list)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 1.0

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if "/file/bot" in url:
            self.downloads.append(url)
            path = url.split("/file/bot", 1)[1].split("/", 1)[1]
            return 200, self.files[path]
        name = method_name(url.rsplit("/", 1)[-1])
        params: dict[str, Any] = {}
        uploads: dict[str, bytes] = {}
        if request_data is not None:
            # What goes over the wire, decoded again: JSON for plain values, bytes for uploaded files.
            plain = request_data.parameters
            for key, value in request_data.json_parameters.items():
                params[key] = value if isinstance(plain[key], str) else json.loads(value)
            for part, (_, content, *_rest) in request_data.multipart_data.items():
                uploads[part] = content if isinstance(content, bytes) else content.read()
        call = Call(url, name, params, uploads)
        self.calls.append(call)
        if self.raises.get(name):
            call.ok = False
            raise self.raises[name].pop(0)
        queued = self.failures.get(name)
        if queued:
            call.ok = False
            status, description, extra = queued.pop(0)
            body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
            if extra:
                body["parameters"] = extra
            return status, json.dumps(body).encode()
        hold = self.holds.get(int(params.get("chat_id", 0) or 0)) if name in SENDS else None
        if hold is not None:
            await hold.wait()
        call.result = await self._result(name, params)
        return 200, json.dumps({"ok": True, "result": call.result}).encode()

    async def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Thi đua",
                "username": BOT_USERNAME,
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if name == "sendMediaGroup":
            chat = {"id": int(params.get("chat_id", 1)), "type": "private"}
            return [
                {"message_id": next(_message_ids), "date": int(time.time()), "chat": chat, "media_group_id": "g"}
                for _ in params["media"]
            ]
        if name in SENDS or name in ("editMessageText", "editMessageReplyMarkup"):
            message: dict[str, Any] = {
                "message_id": params.get("message_id") or next(_message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params.get("chat_id", 1)), "type": "private"},
                "from": {"id": BOT_ID, "is_bot": True, "first_name": "Thi đua"},
            }
            if "text" in params:
                message["text"] = params["text"]
            if "caption" in params:
                message["caption"] = params["caption"]
            if "inline_keyboard" in (params.get("reply_markup") or {}):
                message["reply_markup"] = params["reply_markup"]
            return message
        if name == "getFile":
            file_id = str(params["file_id"])
            if file_id not in self.files:
                return {"file_id": file_id, "file_unique_id": f"u-{file_id}"}
            return {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_size": len(self.files[file_id]),
                "file_path": file_id,
            }
        if name == "getUpdates":
            # Held as Telegram holds it, for the call's timeout or until an update is queued (a poller that
            # stops cancels its call, and with it this wait).
            held = float(params.get("timeout") or 0)
            if self.updates.empty() and not held:
                return []
            try:
                update = await asyncio.wait_for(self.updates.get(), timeout=held or None)
            except TimeoutError:
                return []
            return [update]
        return True

    # -- what a test reads back ------------------------------------------------------------------------
    def of(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent(self, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.ok and c.method in SENDS and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [str(c.params.get("text") or c.params.get("caption") or "") for c in self.sent(chat_id)]


class Updates:
    """Builds Bot API update dicts for one person in a private chat (or, given chat, in a group)."""

    _ids = itertools.count(1)

    def __init__(
        self, user_id: int = 5001, first_name: str = "Lan", last_name: str | None = None, language_code: str = "vi"
    ) -> None:
        self.user_id = user_id
        self.user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        if last_name:
            self.user["last_name"] = last_name
        self.chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}

    def _next_id(self) -> int:
        return next(self._ids) + 100_000

    def message(self, chat: dict[str, Any] | None = None, **content: Any) -> dict[str, Any]:
        update_id = self._next_id()
        return {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "chat": chat or self.chat,
                "from": self.user,
                **content,
            },
        }

    def text(self, text: str, chat: dict[str, Any] | None = None) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self.message(chat, **content)

    def press(self, data: str, on: Call | None = None) -> dict[str, Any]:
        """A press of the button with callback data `data`, on the bot's message `on` (as it was sent)."""
        update_id = self._next_id()
        sent = on.result if on is not None and on.result else {}
        message: dict[str, Any] = {
            "message_id": sent.get("message_id", update_id),
            "date": int(time.time()),
            "chat": self.chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Thi đua"},
            "text": sent.get("text", "…"),
        }
        if "reply_markup" in sent:
            message["reply_markup"] = sent["reply_markup"]
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"cb{update_id}",
                "from": self.user,
                "chat_instance": "ci",
                "data": data,
                "message": message,
            },
        }

    def photo(self, file_id: str, size: int | None) -> dict[str, Any]:
        big: dict[str, Any] = {"file_id": file_id, "file_unique_id": "b", "width": 1280, "height": 960}
        if size is not None:
            big["file_size"] = size
        small = {"file_id": f"{file_id}-small", "file_unique_id": "s", "width": 90, "height": 90, "file_size": 10}
        return self.message(photo=[small, big])

    def document(self, file_id: str, name: str, mime: str, size: int) -> dict[str, Any]:
        return self.message(
            document={
                "file_id": file_id,
                "file_unique_id": "d",
                "file_name": name,
                "mime_type": mime,
                "file_size": size,
            }
        )

    def contact(self, phone: str, own: bool = True) -> dict[str, Any]:
        return self.message(
            contact={"phone_number": phone, "first_name": "Lan", "user_id": self.user_id if own else 999}
        )

    def sticker(self) -> dict[str, Any]:
        sticker = {"file_id": "st", "file_unique_id": "st", "type": "regular", "width": 512, "height": 512}
        return self.message(sticker={**sticker, "is_animated": False, "is_video": False})

    def voice(self) -> dict[str, Any]:
        return self.message(voice={"file_id": "v", "file_unique_id": "v", "duration": 3})

    def location(self) -> dict[str, Any]:
        return self.message(location={"latitude": 10.46, "longitude": 105.63})

    def video(self) -> dict[str, Any]:
        return self.message(
            video={"file_id": "vid", "file_unique_id": "vid", "width": 640, "height": 480, "duration": 9}
        )

    def dice(self) -> dict[str, Any]:
        return self.message(dice={"emoji": "🎲", "value": 4})


def as_update(data: dict[str, Any], bot: Any) -> Update:
    update = Update.de_json(data, bot)
    assert update is not None
    return update
