"""A person talking to the engine directly, as any channel would hand it their messages."""

from __future__ import annotations

import itertools
from pathlib import Path

from bot.app import App
from bot.channels.console import LocalFiles
from bot.conversation.messages import Attachment, Incoming, Kind, Reply

_update_ids = itertools.count(1)


class Person:
    def __init__(self, app: App, user_id: str = "1001", channel: str = "console") -> None:
        self.app = app
        self.user_id = user_id
        self.channel = channel
        self.last: list[Reply] = []

    async def send(self, incoming: Incoming) -> list[Reply]:
        self.last = await self.app.engine.handle(incoming, LocalFiles())
        return self.last

    def _base(self) -> dict[str, object]:
        return {"channel": self.channel, "user_id": self.user_id, "chat_id": self.user_id}

    async def say(self, text: str) -> list[Reply]:
        if text.startswith("/"):
            word, _, args = text[1:].partition(" ")
            return await self.send(Incoming(kind=Kind.COMMAND, command=word, args=args, text=text, **self._base()))
        return await self.send(Incoming(kind=Kind.TEXT, text=text, **self._base()))

    async def tap(self, label_part: str) -> list[Reply]:
        """Press the button whose label contains `label_part`, on the last message that had buttons."""
        offered = [c for r in self.last if r.choices for c in r.choices]
        matches = [c for c in offered if label_part in c.label]
        assert len(matches) == 1, f"no single button {label_part!r} among {[c.label for c in offered]}"
        return await self.send(Incoming(kind=Kind.CHOICE, choice=matches[0].value, **self._base()))

    async def send_file(self, path: Path) -> list[Reply]:
        attachment = Attachment(ref=str(path), name=path.name, size=path.stat().st_size)
        return await self.send(Incoming(kind=Kind.FILE, attachments=(attachment,), **self._base()))

    async def send_kind(self, kind: Kind, **extra: object) -> list[Reply]:
        return await self.send(Incoming(kind=kind, **self._base(), **extra))

    @property
    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    @property
    def buttons(self) -> list[str]:
        return [c.label for r in self.last for c in r.choices]
