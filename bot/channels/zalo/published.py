"""Images the bot sends on Zalo, reachable for a while at an unguessable address.

Zalo's sendPhoto takes a URL, not the bytes. In webhook mode the bot already has a public HTTPS address, so
the webhook server serves each published image under `<webhook URL>/files/<random token>`; in polling mode
there is none, and a reply's image is described in words instead.

What is published is written down in the data folder, one small file per token, not kept in memory: an image
sent by another process (`reminders run`, or another worker behind the same address) is served all the same.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from bot.clock import Clock
from bot.conversation.messages import OutgoingFile

KEPT = dt.timedelta(hours=24)
TOKEN_PATTERN = r"[A-Za-z0-9_-]{16,64}"
# How often a process looks for tokens that have run out, when it publishes.
SWEEP_EVERY = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Published:
    path: Path
    mime: str
    until: dt.datetime


class PublishedFiles:
    def __init__(self, base_url: str, clock: Clock, folder: Path, kept: dt.timedelta = KEPT) -> None:
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.folder = folder
        self.kept = kept
        self._swept: dt.datetime | None = None

    async def publish(self, file: OutgoingFile) -> str:
        now = self.clock.now()
        token = secrets.token_urlsafe(24)
        item = Published(file.path.resolve(), file.mime, now + self.kept)
        sweep = self._swept is None or now - self._swept >= SWEEP_EVERY
        if sweep:
            self._swept = now
        await asyncio.to_thread(self._write, token, item, now if sweep else None)
        return f"{self.base_url}/files/{token}"

    async def lookup(self, token: str) -> Published | None:
        item = await asyncio.to_thread(self._read, token)
        if item is None or item.until <= self.clock.now():
            return None
        return item

    def _write(self, token: str, item: Published, sweep_at: dt.datetime | None) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if sweep_at is not None:
            self._sweep(sweep_at)
        entry = {"path": str(item.path), "mime": item.mime, "until": item.until.isoformat()}
        # Written whole under another name, then renamed: a reader never sees half of it.
        part = self.folder / f".{token}.part"
        part.write_text(json.dumps(entry), encoding="utf-8")
        os.replace(part, self.folder / token)

    def _read(self, token: str) -> Published | None:
        # The webhook's route lets through only TOKEN_PATTERN, which names no other folder.
        try:
            entry = json.loads((self.folder / token).read_text(encoding="utf-8"))
            return Published(Path(entry["path"]), str(entry["mime"]), dt.datetime.fromisoformat(entry["until"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def _sweep(self, now: dt.datetime) -> None:
        for path in self.folder.iterdir():
            if path.name.startswith("."):
                continue
            item = self._read(path.name)
            if item is None or item.until <= now:
                with contextlib.suppress(OSError):
                    path.unlink()
