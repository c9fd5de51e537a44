"""The outbox table: enqueue inside the caller's transaction; claim, then record, around each send."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from typing import NamedTuple

from pydantic import BaseModel

from bot.conversation.messages import Reply
from bot.storage.database import Connection, Row, fetch_all, fetch_one, is_sqlite, skip_locked
from bot.storage.timefmt import from_db, to_db

ERROR_KEPT = 500
LISTED = 20


class OutboxMessage(BaseModel):
    id: int
    dedup_key: str
    channel: str
    chat_id: str
    user_id: int | None
    kind: str
    reply: Reply
    attempts: int
    not_before: dt.datetime
    created_at: dt.datetime


class OutboxEntry(BaseModel):
    """A message as `outbox status` lists it: enough to find the person and decide what to do."""

    id: int
    dedup_key: str
    channel: str
    chat_id: str
    kind: str
    status: str
    attempts: int
    created_at: dt.datetime
    claimed_at: dt.datetime | None
    last_error: str | None


class OutboxStatus(BaseModel):
    counts: dict[str, int]
    by_channel: dict[str, dict[str, int]]
    oldest_pending: dt.datetime | None
    uncertain: list[OutboxEntry]
    failed: list[OutboxEntry]


def _message(row: Row) -> OutboxMessage:
    return OutboxMessage(
        id=row["id"],
        dedup_key=row["dedup_key"],
        channel=row["channel"],
        chat_id=row["chat_id"],
        user_id=row["user_id"],
        kind=row["kind"],
        reply=Reply.model_validate_json(row["payload"]),
        attempts=row["attempts"],
        not_before=from_db(row["not_before"]),
        created_at=from_db(row["created_at"]),
    )


def _entry(row: Row) -> OutboxEntry:
    return OutboxEntry(
        id=row["id"],
        dedup_key=row["dedup_key"],
        channel=row["channel"],
        chat_id=row["chat_id"],
        kind=row["kind"],
        status=row["status"],
        attempts=row["attempts"],
        created_at=from_db(row["created_at"]),
        claimed_at=from_db(row["claimed_at"]) if row["claimed_at"] else None,
        last_error=row["last_error"],
    )


class ToQueue(NamedTuple):
    key: str
    channel: str
    chat_id: str
    user_id: int | None
    reply: Reply


class OutboxRepo:
    def __init__(self, conn: Connection) -> None:
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
            "INSERT INTO outbox (dedup_key, channel, chat_id, user_id, kind, payload, status, not_before,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT DO NOTHING",
            (key, channel, chat_id, user_id, kind, reply.model_dump_json(), to_db(not_before or now), to_db(now)),
        )
        return cur.rowcount == 1

    async def enqueue_many(self, messages: Iterable[ToQueue], kind: str, now: dt.datetime) -> int:
        """Queue many messages of one kind in one trip to the database (a reminder step for a province's
        units), each unless one with its key exists already; how many were queued now."""
        at = to_db(now)
        cur = await self.conn.executemany(
            "INSERT INTO outbox (dedup_key, channel, chat_id, user_id, kind, payload, status, not_before,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', ?, ?) ON CONFLICT DO NOTHING",
            [(m.key, m.channel, m.chat_id, m.user_id, kind, m.reply.model_dump_json(), at, at) for m in messages],
        )
        return max(cur.rowcount, 0)

    async def due(self, channel: str, now: dt.datetime, limit: int) -> list[OutboxMessage]:
        rows = await fetch_all(
            self.conn,
            "SELECT * FROM outbox WHERE channel = ? AND status = 'queued' AND not_before <= ?"
            " ORDER BY not_before, id LIMIT ?",
            (channel, to_db(now), limit),
        )
        return [_message(r) for r in rows]

    async def next_due_at(self, channels: Collection[str]) -> dt.datetime | None:
        if not channels:
            return None
        marks = ", ".join("?" for _ in channels)
        row = await fetch_one(
            self.conn,
            f"SELECT MIN(not_before) FROM outbox WHERE status = 'queued' AND channel IN ({marks})",
            tuple(channels),
        )
        return from_db(row[0]) if row and row[0] else None

    async def claim(self, message_id: int, now: dt.datetime, owner: str | None = None) -> bool:
        """Mark as being sent (by `owner`, a process's mark). Committed before the send, so a crash leaves
        evidence that it may have gone."""
        # Several workers may try the same message: the one that locks the row claims it, the others pass
        # over it without waiting (on PostgreSQL; SQLite has one writer at a time).
        cur = await self.conn.execute(
            "UPDATE outbox SET status = 'sending', claimed_at = ?, claimed_by = ?, attempts = attempts + 1"
            f" WHERE id = (SELECT id FROM outbox WHERE id = ? AND status = 'queued'{skip_locked(self.conn)})",
            (to_db(now), owner, message_id),
        )
        return cur.rowcount == 1

    async def candidates(self, channel: str, now: dt.datetime, limit: int) -> list[tuple[OutboxMessage, str | None]]:
        """Due messages this worker may claim, each with when its chat was last sent to: locked on PostgreSQL
        until the transaction ends, rows another worker holds passed over. A chat with an earlier message
        still due or being sent is left out, so that one chat's messages go one after another, in order,
        whichever worker sends them (a message waiting for a retry holds up nobody)."""
        lock = "" if is_sqlite(self.conn) else " FOR UPDATE OF o SKIP LOCKED"
        rows = await fetch_all(
            self.conn,
            "SELECT o.*, (SELECT s.sent_at FROM outbox s WHERE s.channel = o.channel AND s.chat_id = o.chat_id"
            " AND s.status = 'sent' ORDER BY s.sent_at DESC LIMIT 1) AS chat_sent_at"
            " FROM outbox o WHERE o.channel = ? AND o.status = 'queued' AND o.not_before <= ?"
            " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.channel = o.channel AND p.chat_id = o.chat_id"
            " AND (p.status = 'sending' OR (p.status = 'queued' AND p.not_before <= ? AND p.id < o.id)))"
            f" ORDER BY o.not_before, o.id LIMIT ?{lock}",
            (channel, to_db(now), to_db(now), limit),
        )
        return [(_message(r), r["chat_sent_at"]) for r in rows]

    async def claim_many(self, message_ids: Collection[int], now: dt.datetime, owner: str | None) -> None:
        """Mark messages locked by `candidates` as being sent (see `claim`)."""
        if not message_ids:
            return
        marks = ", ".join("?" for _ in message_ids)
        await self.conn.execute(
            "UPDATE outbox SET status = 'sending', claimed_at = ?, claimed_by = ?, attempts = attempts + 1"
            f" WHERE id IN ({marks}) AND status = 'queued'",
            (to_db(now), owner, *message_ids),
        )

    async def release(self, message_id: int) -> None:
        """Undo a claim whose send never started: it goes back in the queue as if never taken."""
        await self.conn.execute(
            "UPDATE outbox SET status = 'queued', claimed_at = NULL, attempts = attempts - 1"
            " WHERE id = ? AND status = 'sending'",
            (message_id,),
        )

    async def _attempt(self, message_id: int, now: dt.datetime, outcome: str, detail: str | None) -> None:
        await self.conn.execute(
            "INSERT INTO outbox_attempts (outbox_id, at, outcome, detail) VALUES (?, ?, ?, ?)",
            (message_id, to_db(now), outcome, detail),
        )

    async def sent(self, message_id: int, now: dt.datetime) -> None:
        await self.conn.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?", (to_db(now), message_id)
        )
        await self._attempt(message_id, now, "sent", None)

    async def sent_many(self, sent: Collection[tuple[int, dt.datetime]]) -> None:
        """Record several sends at once: (message, when it was sent)."""
        if not sent:
            return
        await self.conn.executemany(
            "UPDATE outbox SET status = 'sent', sent_at = ?, last_error = NULL WHERE id = ?",
            [(to_db(at), message_id) for message_id, at in sent],
        )
        marks = ", ".join("(?, ?, 'sent', NULL)" for _ in sent)
        await self.conn.execute(
            f"INSERT INTO outbox_attempts (outbox_id, at, outcome, detail) VALUES {marks}",
            [value for message_id, at in sent for value in (message_id, to_db(at))],
        )

    async def retry(self, message_id: int, now: dt.datetime, at: dt.datetime, error: str) -> None:
        await self.conn.execute(
            "UPDATE outbox SET status = 'queued', not_before = ?, last_error = ? WHERE id = ?",
            (to_db(at), error[:ERROR_KEPT], message_id),
        )
        await self._attempt(message_id, now, "retry", error[:ERROR_KEPT])

    async def failed(self, message_id: int, now: dt.datetime, error: str) -> None:
        await self.conn.execute(
            "UPDATE outbox SET status = 'failed', last_error = ? WHERE id = ?", (error[:ERROR_KEPT], message_id)
        )
        await self._attempt(message_id, now, "failed", error[:ERROR_KEPT])

    async def uncertain(self, message_id: int, now: dt.datetime, reason: str) -> None:
        """The send may or may not have reached the person; it is not tried again unless an operator says so."""
        await self.conn.execute(
            "UPDATE outbox SET status = 'uncertain', last_error = ? WHERE id = ?", (reason[:ERROR_KEPT], message_id)
        )
        await self._attempt(message_id, now, "uncertain", reason[:ERROR_KEPT])

    async def postpone(self, message_id: int, at: dt.datetime) -> None:
        """Not an attempt: the chat must wait its turn or the quiet hours must end."""
        await self.conn.execute(
            "UPDATE outbox SET not_before = ? WHERE id = ? AND status = 'queued'", (to_db(at), message_id)
        )

    async def claim_owners(self) -> list[str]:
        """The processes with messages claimed right now."""
        rows = await fetch_all(
            self.conn, "SELECT DISTINCT claimed_by FROM outbox WHERE status = 'sending' AND claimed_by IS NOT NULL"
        )
        return [str(row[0]) for row in rows]

    async def resolve_stale_claims(
        self, claimed_before: dt.datetime, now: dt.datetime, dead: Collection[str] = ()
    ) -> int:
        """Claims of a dead process, or older than any live send can last, were left by a process that stopped
        between sending and recording. The messenger cannot tell us whether the message went out, so it is
        marked uncertain rather than sent again."""
        marks = ", ".join("?" for _ in dead)
        of_dead = f" OR claimed_by IN ({marks})" if dead else ""
        rows = await fetch_all(
            self.conn,
            f"SELECT id FROM outbox WHERE status = 'sending' AND (claimed_at < ?{of_dead})",
            (to_db(claimed_before), *dead),
        )
        for (message_id,) in rows:
            await self.uncertain(message_id, now, "the process stopped while sending")
        return len(rows)

    async def requeue_uncertain(self, now: dt.datetime, note: Callable[[str], str] | None = None) -> int:
        """Send the uncertain messages again, each opened with `note(language of its recipient)` if given, so
        a person who got the first one knows the second is a repeat."""
        rows = await fetch_all(
            self.conn,
            "SELECT o.id, o.payload, u.lang FROM outbox o LEFT JOIN users u ON u.id = o.user_id"
            " WHERE o.status = 'uncertain'",
        )
        for message_id, payload, lang in rows:
            again = Reply.model_validate_json(payload)
            if note is not None:
                again = again.model_copy(update={"text": f"{note(lang or 'vi')}\n\n{again.text}"})
            await self.conn.execute(
                "UPDATE outbox SET status = 'queued', not_before = ?, payload = ? WHERE id = ?",
                (to_db(now), again.model_dump_json(), message_id),
            )
        return len(rows)

    async def status(self) -> OutboxStatus:
        rows = await fetch_all(self.conn, "SELECT channel, status, COUNT(*) FROM outbox GROUP BY channel, status")
        counts: Counter[str] = Counter()
        by_channel: dict[str, dict[str, int]] = {}
        for channel, status, count in rows:
            counts[status] += count
            by_channel.setdefault(channel, {})[status] = count
        oldest = await fetch_one(self.conn, "SELECT MIN(created_at) FROM outbox WHERE status IN ('queued', 'sending')")
        listed = "SELECT * FROM outbox WHERE status = ? ORDER BY id DESC LIMIT ?"
        return OutboxStatus(
            counts=dict(counts),
            by_channel=by_channel,
            oldest_pending=from_db(oldest[0]) if oldest and oldest[0] else None,
            uncertain=[_entry(r) for r in await fetch_all(self.conn, listed, ("uncertain", LISTED))],
            failed=[_entry(r) for r in await fetch_all(self.conn, listed, ("failed", LISTED))],
        )


class SendingBudget:
    """A messenger's rate limit shared by every worker (the `outbox_budget` row): slots are handed out ahead,
    one every 1/rate seconds, so workers together keep the configured rate and never exceed it.

    A row rather than an advisory lock: the update is atomic in one statement, locks the row only until the
    claim's transaction ends, works unchanged on SQLite and behind PgBouncer in transaction mode (where a
    session's advisory lock would not stay with the worker), and the state it guards must live in a row anyway.
    Times are the workers' clocks in seconds since the epoch; machines kept in step by NTP differ by
    milliseconds, a few slots at most."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def reserve(self, channel: str, count: int, per_second: float, now: float) -> float:
        """Reserve `count` consecutive slots; returns when the first may be used (the others follow it
        1/per_second apart)."""
        span = count / per_second
        row = await fetch_one(
            self.conn,
            "INSERT INTO outbox_budget (channel, next_slot, paused_until) VALUES (?, ?, 0)"
            " ON CONFLICT (channel) DO UPDATE SET next_slot = CASE WHEN outbox_budget.next_slot > ?"
            " THEN outbox_budget.next_slot ELSE ? END + ? RETURNING next_slot",
            (channel, now + span, now, now, span),
        )
        assert row is not None
        return float(row[0]) - span

    async def pause(self, channel: str, until: float) -> None:
        """The messenger asked us to wait: no worker's slot starts before `until`."""
        await self.conn.execute(
            "INSERT INTO outbox_budget (channel, next_slot, paused_until) VALUES (?, ?, ?)"
            " ON CONFLICT (channel) DO UPDATE SET"
            " paused_until = CASE WHEN outbox_budget.paused_until > ? THEN outbox_budget.paused_until ELSE ? END,"
            " next_slot = CASE WHEN outbox_budget.next_slot > ? THEN outbox_budget.next_slot ELSE ? END",
            (channel, until, until, until, until, until, until),
        )

    async def paused_until(self, channel: str) -> float:
        row = await fetch_one(self.conn, "SELECT paused_until FROM outbox_budget WHERE channel = ?", (channel,))
        return float(row[0]) if row else 0.0
