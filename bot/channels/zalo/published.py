"""Images the bot sends on Zalo, reachable for a while at an unguessable address.

Zalo's sendPhoto takes a URL, not the bytes. In webhook mode the bot already has a public HTTPS address, so
the webhook server serves each published image under `<webhook URL>/files/<random token>`; in polling mode
there is none, and a reply's image is described in words instead.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

from bot.clock import Clock
from bot.engine.messages import OutgoingFile

KEPT = dt.timedelta(hours=24)
TOKEN_PATTERN = r"[A-Za-z0-9_-]{16,64}"


@dataclass(frozen=True)
class Published:
    path: Path
    mime: str
    until: dt.datetime


class PublishedFiles:
    def __init__(self, base_url: str, clock: Clock, kept: dt.timedelta = KEPT) -> None:
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.kept = kept
        self._files: dict[str, Published] = {}

    def publish(self, file: OutgoingFile) -> str:
        now = self.clock.now()
        self._files = {token: item for token, item in self._files.items() if item.until > now}
        token = secrets.token_urlsafe(24)
        self._files[token] = Published(file.path, file.mime, now + self.kept)
        return f"{self.base_url}/files/{token}"

    def lookup(self, token: str) -> Published | None:
        item = self._files.get(token)
        if item is None or item.until <= self.clock.now():
            return None
        return item
