"""Who sits at the secretariat's desk: the chats that get digests and the nominations to review."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.storage.database import Connection
from bot.storage.roles import RoleRepo


@dataclass(frozen=True)
class DeskChat:
    """One chat the secretariat reads. `user_id` is None for a shared chat (a group), whose language is
    the campaign's default; a person's own chat speaks their language."""

    channel: str
    chat_id: str
    lang: str = "vi"
    user_id: int | None = None

    @property
    def key(self) -> str:
        """Stable within the outbox's dedup keys: the same message to the same chat is queued once."""
        return f"{self.channel}:{self.chat_id}"


class DeskRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def chats(self, shared: Iterable[tuple[str, str]]) -> list[DeskChat]:
        """The configured shared chats, then each secretariat member's own chat, each chat once."""
        chats: dict[tuple[str, str], DeskChat] = {}
        for channel, chat_id in shared:
            chats.setdefault((channel, chat_id), DeskChat(channel, chat_id))
        for user in await RoleRepo(self.conn).secretariat_users():
            chats.setdefault((user.channel, user.chat_id), DeskChat(user.channel, user.chat_id, user.lang, user.id))
        return list(chats.values())
