"""What a handler gets for one step: who, what they sent, their session, and the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import aiosqlite

from bot.clock import Clock
from bot.domain.campaign import Campaign
from bot.domain.nomination import EvidenceFile
from bot.domain.users import User
from bot.engine.messages import Choice, Incoming, Reply
from bot.engine.session import Session
from bot.i18n import Catalog
from bot.storage.files import FileStore


@dataclass(frozen=True)
class Services:
    campaign: Campaign
    catalog: Catalog
    clock: Clock
    files: FileStore
    stale_after: dt.timedelta = dt.timedelta(days=7)
    max_file_bytes: int = 10 * 1024 * 1024
    max_files: int = 5


@dataclass(frozen=True)
class RejectedFile:
    """A file the user sent that was not kept, and why (a catalog key under files.rejected)."""

    name: str | None
    reason: str


StagedFile = EvidenceFile | RejectedFile


@dataclass
class Context:
    incoming: Incoming
    user: User
    session: Session
    conn: aiosqlite.Connection
    services: Services
    staged: list[StagedFile] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.user.lang

    @property
    def now(self) -> dt.datetime:
        return self.services.clock.now()

    @property
    def campaign(self) -> Campaign:
        return self.services.campaign

    def t(self, key: str, **values: Any) -> str:
        return self.services.catalog.t(self.lang, key, **values)

    def say(self, text: str, choices: list[Choice] | tuple[Choice, ...] = (), **extra: Any) -> None:
        self.replies.append(Reply(text=text, choices=tuple(choices), **extra))
