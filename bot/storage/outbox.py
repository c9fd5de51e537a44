"""The outbox table: enqueue inside the caller's transaction; claim, then record, around each send."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import aiosqlite
from pydantic import BaseModel

from bot.engine.messages import Reply
from bot.storage.database import fetch_all, fetch_one
from bot.storage.timefmt import from_db, to_db


class OutboxMessage(BaseModel):
    id: int
    dedup_key: str
    channel: str
    chat_id: str
    kind: str
    reply: Reply
    attempts: int
    not_before: dt.datetime


class OutboxStatus(BaseModel):
    counts: dict[str, int]
    by_channel: dict[str, dict[str, int]]
    oldest_pending: dt.datetime | None


def _message(row: aiosqlite.Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        dedup_key=row["dedup_key"],
        channel=row["channel"],
        chat_id=row["chat_id"],
        kind=row["kind"],
        reply=Reply.model_validate_json(row["payload"]),
        attempts=row["attempts"],
        not_before=from_db(row["not_before"]),
    )


class OutboxRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def enqueue(
        self,
        key: str,
        channel: str,
        chat_id: str,
        reply: Reply,
        kind: str,
        now: dt.datetime,
        *,
        user_id: int | None = None,
        not_before: dt.datetime | None = None,
    ) -> bool:
        """Queue a message unless one with this key exists already; True if it was queued now."""
        cur = await self.conn.execute(
            "INSERT OR IGNORE INTO outbox (dedup_key, channel, chat_id, user_id, kind, payload, status, not_before,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?)",
            (key, channel, chat_id, user_id, kind, reply.model_dump_json(), to_db(not_before or now), to_db(now)),
        )
        return cur.rowcount == 1

    async def due(
        self, now: dt.datetime, limit: int, skip_channels: frozenset[str] = frozenset()
    ) -> list[OutboxMessage]:
        rows = await fetch_all(
            self.conn,
            "SELECT * FROM outbox WHERE status = 'queued' AND not_before <= ? ORDER BY not_before, id LIMIT ?",
            (to_db(now), limit + 200),
        )
        messages = [_message(r) for r in rows if r["channel"] not in skip_channels]
        return messages[:limit]

    async def next_due_at(self) -> dt.datetime | None:
        row = await fetch_one(self.conn, "SELECT MIN(not_before) FROM outbox WHERE status = 'queued'")
        return from_db(row[0]) if row and row[0] else None

    async def claim(self, message_id: int, now: dt.datetime) -> bool:
        """Mark as being sent. Committed before the send, so a crash leaves evidence that it may have gone."""
        cur = await self.conn.execute(
            "UPDATE outbox SET status = 'sending', claimed_at = ?, attempts = attempts + 1"
            " WHERE id = ? AND status = 'queued'",
            (to_db(now), message_id),
        )
        return cur.rowcount == 1

    async def _attempt(self, message_id: int, now: dt.datetime, outcome: str, detail: str | None) -> None:
        await self.conn.execute(
            "INSERT INTO outbox_attempts (outbox_id, at, outcome, detail) VALUES (?, ?, ?, ?)",
            (message_id, to_db(now), outcome, detail),
        )

    async def sent(self, message_id: int, now: dt.datetime) -> None:
        await self.conn.execute("UPDATE outbox SET status = 'sent', sent_at = ? WHERE id = ?", (to_db(now), message_id))
        await self._attempt(message_id, now, "sent", None)

    async def retry(self, message_id: int, now: dt.datetime, at: dt.datetime, error: str) -> None:
        await self.conn.execute(
            "UPDATE outbox SET status = 'queued', not_before = ?, last_error = ? WHERE id = ?",
            (to_db(at), error[:500], message_id),
        )
        await self._attempt(message_id, now, "retry", error[:500])

    async def failed(self, message_id: int, now: dt.datetime, error: str) -> None:
        await self.conn.execute(
            "UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", (error[:500], message_id)
        )
        await self._attempt(message_id, now, "failed", error[:500])

    async def postpone(self, message_id: int, at: dt.datetime) -> None:
        """Not an attempt: the channel is paused or not running; try again later."""
        await self.conn.execute(
            "UPDATE outbox SET not_before = ? WHERE id = ? AND status = 'queued'", (to_db(at), message_id)
        )

    async def resolve_unconfirmed(self, now: dt.datetime) -> int:
        """Claims left by a process that died between sending and recording. The messenger cannot tell us
        whether the message went out, so it is marked uncertain rather than sent again."""
        rows = await fetch_all(self.conn, "SELECT id FROM outbox WHERE status = 'sending'")
        for (message_id,) in rows:
            await self.conn.execute(
                "UPDATE outbox SET status = 'uncertain', last_error = 'process stopped during sending' WHERE id = ?",
                (message_id,),
            )
            await self._attempt(message_id, now, "uncertain", "process stopped during sending")
        return len(rows)

    async def requeue_uncertain(self, now: dt.datetime) -> int:
        cur = await self.conn.execute(
            "UPDATE outbox SET status = 'queued', not_before = ? WHERE status = 'uncertain'", (to_db(now),)
        )
        return cur.rowcount

    async def status(self) -> OutboxStatus:
        rows = await fetch_all(self.conn, "SELECT channel, status, COUNT(*) FROM outbox GROUP BY channel, status")
        counts: Counter[str] = Counter()
        by_channel: dict[str, dict[str, int]] = {}
        for channel, status, count in rows:
            counts[status] += count
            by_channel.setdefault(channel, {})[status] = count
        oldest = await fetch_one(self.conn, "SELECT MIN(created_at) FROM outbox WHERE status IN ('queued', 'sending')")
        return OutboxStatus(
            counts=dict(counts),
            by_channel=by_channel,
            oldest_pending=from_db(oldest[0]) if oldest and oldest[0] else None,
        )
