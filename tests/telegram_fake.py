"""A fake Telegram Bot API at python-telegram-bot's HTTP request layer: nothing leaves the process.

It answers the methods the bot calls with Bot API shaped JSON, records every call, serves file
downloads from memory, and hands out queued updates to getUpdates.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.request import BaseRequest, RequestData

TOKEN = "123456:TEST-TOKEN"
BOT_ID = 123456
_message_ids = itertools.count(1000)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    ok: bool = True


@dataclass
class FakeTelegram(BaseRequest):
    calls: list[Call] = field(default_factory=list)
    files: dict[str, bytes] = field(default_factory=dict)
    updates: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    # Method name -> (HTTP status, Bot API error description) to answer once instead of success.
    failures: dict[str, list[tuple[int, str, dict[str, Any] | None]]] = field(default_factory=dict)

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
            path = url.split("/file/bot", 1)[1].split("/", 1)[1]
            return 200, self.files[path]
        name = url.rsplit("/", 1)[-1]
        params: dict[str, Any] = dict(request_data.parameters) if request_data is not None else {}
        for key in ("reply_markup", "commands", "scope"):
            value = params.get(key)
            if isinstance(value, str):
                params[key] = json.loads(value)
        call = Call(name, params)
        self.calls.append(call)
        queued = self.failures.get(name)
        if queued:
            call.ok = False
            status, description, extra = queued.pop(0)
            body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
            if extra:
                body["parameters"] = extra
            return status, json.dumps(body).encode()
        return 200, json.dumps({"ok": True, "result": await self._result(name, params)}).encode()

    async def _result(self, name: str, params: dict[str, Any]) -> Any:
        if name == "getMe":
            return {
                "id": BOT_ID,
                "is_bot": True,
                "first_name": "Thi đua",
                "username": "thidua_bot",
                "can_join_groups": True,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        if name in ("sendMessage", "sendPhoto", "sendDocument", "editMessageText"):
            return {
                "message_id": next(_message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params.get("chat_id", 1)), "type": "private"},
                "text": params.get("text", ""),
            }
        if name == "getFile":
            file_id = str(params["file_id"])
            return {
                "file_id": file_id,
                "file_unique_id": f"u-{file_id}",
                "file_size": len(self.files[file_id]),
                "file_path": file_id,
            }
        if name == "getUpdates":
            try:
                update = await asyncio.wait_for(self.updates.get(), timeout=0.2)
            except TimeoutError:
                return []
            return [update]
        return True

    # -- what a test reads back ------------------------------------------------------------------------
    def sent(self, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.ok
            and c.method in ("sendMessage", "sendPhoto", "sendDocument")
            and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [str(c.params.get("text") or c.params.get("caption") or "") for c in self.sent(chat_id)]

    def clear(self) -> None:
        self.calls.clear()


class Updates:
    """Builds Bot API update dicts for one person in a private chat."""

    def __init__(self, user_id: int = 5001, first_name: str = "Lan", language_code: str = "vi") -> None:
        self.user_id = user_id
        self.user: dict[str, Any] = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": language_code,
        }
        self.chat: dict[str, Any] = {"id": user_id, "type": "private", "first_name": first_name}
        self._ids = itertools.count(1)

    def _message(self, **content: Any) -> dict[str, Any]:
        update_id = next(self._ids) + self.user_id * 1000
        return {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "chat": self.chat,
                "from": self.user,
                **content,
            },
        }

    def text(self, text: str) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split(" ", 1)[0])
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._message(**content)

    def press(self, data: str, on_text: str = "…", buttons: list[list[dict[str, str]]] | None = None) -> dict[str, Any]:
        update_id = next(self._ids) + self.user_id * 1000
        message: dict[str, Any] = {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": self.chat,
            "from": {"id": BOT_ID, "is_bot": True, "first_name": "Thi đua"},
            "text": on_text,
        }
        if buttons:
            message["reply_markup"] = {"inline_keyboard": buttons}
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

    def photo(self, file_id: str, size: int) -> dict[str, Any]:
        return self._message(
            photo=[
                {
                    "file_id": f"{file_id}-small",
                    "file_unique_id": "s",
                    "width": 90,
                    "height": 90,
                    "file_size": 10,
                },
                {"file_id": file_id, "file_unique_id": "b", "width": 1280, "height": 960, "file_size": size},
            ]
        )

    def document(self, file_id: str, name: str, mime: str, size: int) -> dict[str, Any]:
        return self._message(
            document={
                "file_id": file_id,
                "file_unique_id": "d",
                "file_name": name,
                "mime_type": mime,
                "file_size": size,
            }
        )

    def contact(self, phone: str, own: bool = True) -> dict[str, Any]:
        return self._message(
            contact={"phone_number": phone, "first_name": "Lan", "user_id": self.user["id"] if own else 999}
        )

    def sticker(self) -> dict[str, Any]:
        return self._message(
            sticker={
                "file_id": "st",
                "file_unique_id": "st",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        )

    def voice(self) -> dict[str, Any]:
        return self._message(voice={"file_id": "v", "file_unique_id": "v", "duration": 3})

    def location(self) -> dict[str, Any]:
        return self._message(location={"latitude": 10.46, "longitude": 105.63})


def as_update(data: dict[str, Any], bot: Any) -> Update:
    update = Update.de_json(data, bot)
    assert update is not None
    return update
