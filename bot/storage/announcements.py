"""Announcements: who they reach, and writing one with its messages into the outbox in one go."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from bot.conversation.messages import Reply
from bot.domain.announcement import Audience
from bot.domain.audit import AuditAction
from bot.domain.users import User
from bot.storage.audit import audit
from bot.storage.database import Connection, fetch_all, insert_id
from bot.storage.outbox import OutboxRepo
from bot.storage.timefmt import from_db, to_db
from bot.storage.users import user_from_row


class Announcement(BaseModel):
    id: int
    author_user_id: int | None
    channel: str
    audience: Audience
    target: str | None
    text: str
    recipients: int
    created_at: dt.datetime


class AnnouncementRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def recipients(self, audience: Audience, target: str | None) -> list[User]:
        """The registered representatives of the active units in the audience, each person once (a person
        representing three units of a cluster gets one message)."""
        where = ["g.revoked_at IS NULL", "g.role = 'unit_rep'", "cu.status = 'active'"]
        params: list[str] = []
        if audience is Audience.GROUP:
            where.append("cu.group_code = ?")
            params.append(target or "")
        elif audience is Audience.UNIT:
            where.append("cu.code = ?")
            params.append(target or "")
        rows = await fetch_all(
            self.conn,
            "SELECT DISTINCT u.* FROM users u JOIN role_grants g ON g.user_id = u.id"
            " JOIN current_units cu ON cu.code = g.unit_code"
            f" WHERE {' AND '.join(where)} ORDER BY u.id",
            tuple(params),
        )
        return [user_from_row(r) for r in rows]

    async def create(
        self,
        *,
        author: User | None,
        channel: str,
        audience: Audience,
        target: str | None,
        text: str,
        messages: list[tuple[User, list[Reply]]],
        now: dt.datetime,
    ) -> Announcement:
        """Record the announcement and queue its messages in the caller's transaction: either all of it
        exists or none of it does."""
        announcement_id = await insert_id(
            self.conn,
            "INSERT INTO announcements (author_user_id, channel, audience, target, text, recipients, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (author.id if author else None, channel, audience.value, target, text, len(messages), to_db(now)),
        )
        outbox = OutboxRepo(self.conn)
        for user, parts in messages:
            for number, reply in enumerate(parts, start=1):
                await outbox.enqueue(
                    f"announce:{announcement_id}:{user.id}:{number}",
                    user.channel,
                    user.chat_id,
                    reply,
                    "announcement",
                    now,
                    user_id=user.id,
                )
        await audit(
            self.conn,
            now,
            AuditAction.ANNOUNCEMENT_SENT,
            actor=author.id if author else None,
            channel=channel,
            subject=f"announcement:{announcement_id}",
            audience=audience.value,
            target=target,
            recipients=len(messages),
        )
        return Announcement(
            id=announcement_id,
            author_user_id=author.id if author else None,
            channel=channel,
            audience=audience,
            target=target,
            text=text,
            recipients=len(messages),
            created_at=now,
        )

    async def recent(self, limit: int = 20) -> list[Announcement]:
        rows = await fetch_all(self.conn, "SELECT * FROM announcements ORDER BY id DESC LIMIT ?", (limit,))
        return [
            Announcement(
                id=r["id"],
                author_user_id=r["author_user_id"],
                channel=r["channel"],
                audience=Audience(r["audience"]),
                target=r["target"],
                text=r["text"],
                recipients=r["recipients"],
                created_at=from_db(r["created_at"]),
            )
            for r in rows
        ]
