"""What a handler gets for one step: who, what they sent, their session, and the services."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.clock import Clock
from bot.conversation.messages import Choice, Incoming, Reply
from bot.conversation.session import Session
from bot.domain.campaign import Campaign
from bot.domain.message_size import MessageSize
from bot.domain.nomination import EvidenceFile
from bot.domain.policy import Action, Grant, Role, allowed, roles_of
from bot.domain.users import User
from bot.i18n import Catalog
from bot.storage.files import FileStore
from bot.storage.repos import Repos


class ChannelFacts(Protocol):
    """What the channels say about their messengers (bot/channels/registry.py), for the layers below them."""

    def size_of(self, channel: str) -> MessageSize:
        """What one message holds on this channel, and how its length is counted."""
        ...

    def is_group_chat(self, channel: str, chat_id: str) -> bool: ...


@dataclass(frozen=True)
class Services:
    campaign: Campaign
    catalog: Catalog
    clock: Clock
    files: FileStore
    channels: ChannelFacts
    stale_after: dt.timedelta = dt.timedelta(days=7)
    # How long copies of phone numbers (in abandoned drafts, in sent messages) are kept.
    phone_retention: dt.timedelta = dt.timedelta(days=30)
    max_file_bytes: int = 10 * 1024 * 1024
    max_files: int = 5
    # (channel, user id) pairs that are administrators by configuration (ADMIN_TELEGRAM_IDS, ...).
    admins: frozenset[tuple[str, str]] = frozenset()
    # (channel, chat id) of the secretariat's shared chats (SECRETARIAT_CHATS).
    desk_chats: tuple[tuple[str, str], ...] = ()
    # The web desk's public address and its sign-in links' terms (WEB_BASE_URL, WEB_LINK_MINUTES, ...).
    web_url: str = ""
    web_link_valid: dt.timedelta = dt.timedelta(minutes=10)
    web_links_per_hour: int = 5


@dataclass(frozen=True)
class RejectedFile:
    """A file the user sent that was not kept, and why (a catalog key under files.rejected)."""

    name: str | None
    reason: str


StagedFile = EvidenceFile | RejectedFile


async def grants_of_user(repos: Repos, services: Services, user: User) -> list[Grant]:
    """The person's roles: those granted, and administrator when the settings name them one."""
    grants = await repos.roles.grants_of(user.id)
    if (user.channel, user.external_id) in services.admins:
        grants.append(Grant(role=Role.ADMIN))
    return grants


@dataclass
class Context:
    incoming: Incoming
    user: User
    session: Session
    # The update's transaction, as repositories: the only way a handler reads or writes the database.
    repos: Repos
    services: Services
    staged: list[StagedFile] = field(default_factory=list)
    replies: list[Reply] = field(default_factory=list)
    # Slow work (writing a large file) that must not hold the database's write lock: run by the engine after
    # the update's transaction is committed, before the replies go out. It may say things (with files) but
    # must not use `repos`, whose transaction is over by then, nor offer choices, which are saved with the
    # session.
    after_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)
    # Rows the conversation in progress read again for this update, from the ids its session keeps
    # (Flow.recall): never saved, so a draft shows what the database holds now rather than copies.
    looked_up: dict[str, Any] = field(default_factory=dict)
    _grants: list[Grant] | None = None

    async def grants(self) -> list[Grant]:
        """The user's roles, read once per update (most steps of a conversation never ask)."""
        if self._grants is None:
            self._grants = await grants_of_user(self.repos, self.services, self.user)
        return self._grants

    async def roles(self) -> frozenset[Role]:
        return roles_of(await self.grants())

    async def may(self, action: Action) -> bool:
        return allowed(await self.roles(), action)

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
        return self.services.catalog.t(self.user.lang, key, **values)

    def say(self, text: str, choices: list[Choice] | tuple[Choice, ...] = (), **extra: Any) -> None:
        self.replies.append(Reply(text=text, choices=tuple(choices), **extra))
