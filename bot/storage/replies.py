"""The replies table: what an update's handling said, kept until the messenger has it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.conversation.messages import Reply
from bot.storage.database import Connection, fetch_all
from bot.storage.timefmt import from_db, to_db


@dataclass(frozen=True)
class KeptReply:
    id: int
    chat_id: str
    reply: Reply


@dataclass(frozen=True)
class UnsentReply:
    """A kept reply not confirmed sent, with whose update it answered."""

    kept: KeptReply
    person: str
    created_at: dt.datetime
    resent: bool


class RepliesRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(self, inbox_id: int, chat_id: str, replies: Sequence[Reply], now: dt.datetime) -> None:
        await self.conn.executemany(
            "INSERT INTO replies (inbox_id, chat_id, payload, created_at) VALUES (?, ?, ?, ?)",
            [(inbox_id, chat_id, reply.model_dump_json(), to_db(now)) for reply in replies],
        )

    async def sent_of_update(self, inbox_id: int, count: int | None, now: dt.datetime) -> None:
        """The first `count` unsent replies of an update (all of them for None) reached the messenger."""
        if count is None:
            # Not LIMIT -1 for "all": SQLite reads it so, PostgreSQL refuses it.
            await self.conn.execute(
                "UPDATE replies SET sent_at = ? WHERE inbox_id = ? AND sent_at IS NULL", (to_db(now), inbox_id)
            )
            return
        await self.conn.execute(
            "UPDATE replies SET sent_at = ? WHERE id IN (SELECT id FROM replies WHERE inbox_id = ?"
            " AND sent_at IS NULL ORDER BY id LIMIT ?)",
            (to_db(now), inbox_id, count),
        )

    async def sent(self, ids: Sequence[int], now: dt.datetime) -> None:
        await self.conn.executemany(
            "UPDATE replies SET sent_at = ? WHERE id = ? AND sent_at IS NULL", [(to_db(now), i) for i in ids]
        )

    async def unsent(self, channel: str, inbox_id: int | None = None) -> list[UnsentReply]:
        """The replies not confirmed sent, oldest first: of one update, or of the whole channel."""
        sql = (
            "SELECT r.*, i.person FROM replies r JOIN inbox i ON i.id = r.inbox_id"
            " WHERE r.sent_at IS NULL AND r.dropped_at IS NULL AND i.channel = ?"
        )
        params: tuple[object, ...] = (channel,)
        if inbox_id is not None:
            sql += " AND r.inbox_id = ?"
            params += (inbox_id,)
        rows = await fetch_all(self.conn, sql + " ORDER BY r.id", params)
        return [
            UnsentReply(
                KeptReply(r["id"], r["chat_id"], Reply.model_validate_json(r["payload"])),
                r["person"],
                from_db(r["created_at"]),
                r["resent_at"] is not None,
            )
            for r in rows
        ]

    async def claim_resend(self, reply_id: int, now: dt.datetime) -> bool:
        """Take the one second try a reply gets; False if it was sent or tried again already."""
        cur = await self.conn.execute(
            "UPDATE replies SET resent_at = ? WHERE id = ? AND sent_at IS NULL AND resent_at IS NULL"
            " AND dropped_at IS NULL",
            (to_db(now), reply_id),
        )
        return cur.rowcount == 1

    async def drop(self, ids: Sequence[int], now: dt.datetime) -> None:
        await self.conn.executemany(
            "UPDATE replies SET dropped_at = ? WHERE id = ? AND sent_at IS NULL", [(to_db(now), i) for i in ids]
        )
