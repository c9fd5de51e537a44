"""The inbox table: each update kept before it is acknowledged, then handled once, in order per person.

A storage concept, not a messenger's: the payload is whatever the channel needs to read the update again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic_core import PydanticSerializationError, to_json

from bot.storage.database import Connection, Row, fetch_all, fetch_one
from bot.storage.timefmt import to_db


@dataclass(frozen=True)
class Arrival:
    """One update as it came: the messenger's key for it, whose it is, and its text."""

    update_key: str
    person: str
    payload: str
    # The payload as the channel parsed it before writing it out, when it did: what handling it there and
    # then reads instead of parsing the text again. Never stored, and no part of the arrival's identity.
    parsed: Any = field(default=None, compare=False, repr=False)


def payload_text(body: Any) -> str:
    """A messenger's update as the inbox keeps its JSON: compact, by pydantic's serializer, in a quarter of the time
    json.dumps takes (every update is written out once). What it refuses (a lone surrogate, which a messenger's
    JSON may escape) goes through json.dumps as before."""
    try:
        return to_json(body).decode()
    except PydanticSerializationError:
        return json.dumps(body, ensure_ascii=False)


@dataclass(frozen=True)
class InboxRow:
    id: int
    channel: str
    update_key: str
    person: str
    payload: str


def _row(row: Row) -> InboxRow:
    return InboxRow(row["id"], row["channel"], row["update_key"], row["person"], row["payload"])


class InboxRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def keep(self, channel: str, arrival: Arrival, now: dt.datetime) -> bool:
        """Keep the update; False if it was kept before (a redelivery)."""
        cur = await self.conn.execute(
            "INSERT INTO inbox (channel, update_key, person, payload, received_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (channel, arrival.update_key, arrival.person, arrival.payload, to_db(now)),
        )
        return cur.rowcount == 1

    async def keep_row(self, channel: str, arrival: Arrival, now: dt.datetime) -> InboxRow | None:
        """Keep the update and return its row, as `unhandled` would read it; None if it was kept before."""
        row = await fetch_one(
            self.conn,
            "INSERT INTO inbox (channel, update_key, person, payload, received_at) VALUES (?, ?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING RETURNING id",
            (channel, arrival.update_key, arrival.person, arrival.payload, to_db(now)),
        )
        if row is None:
            return None
        return InboxRow(int(row[0]), channel, arrival.update_key, arrival.person, arrival.payload)

    async def keep_handled(self, channel: str, arrival: Arrival, now: dt.datetime) -> int | None:
        """Keep the update as handled already (in the transaction that handles it); its id, or None if it was
        kept before."""
        row = await fetch_one(
            self.conn,
            "INSERT INTO inbox (channel, update_key, person, payload, received_at, handled_at)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
            (channel, arrival.update_key, arrival.person, arrival.payload, to_db(now), to_db(now)),
        )
        return None if row is None else int(row[0])

    async def find(self, channel: str, update_key: str) -> InboxRow | None:
        row = await fetch_one(
            self.conn, "SELECT * FROM inbox WHERE channel = ? AND update_key = ?", (channel, update_key)
        )
        return _row(row) if row is not None else None

    async def is_handled(self, inbox_id: int) -> bool:
        row = await fetch_one(self.conn, "SELECT handled_at FROM inbox WHERE id = ?", (inbox_id,))
        return row is not None and row[0] is not None

    async def unhandled(self, channel: str, after_id: int, limit: int) -> list[InboxRow]:
        """The oldest updates not yet handled, beyond those already taken (ids up to after_id)."""
        rows = await fetch_all(
            self.conn,
            "SELECT * FROM inbox WHERE channel = ? AND handled_at IS NULL AND id > ? ORDER BY id LIMIT ?",
            (channel, after_id, limit),
        )
        return [_row(r) for r in rows]

    async def unhandled_of(self, channel: str, person: str) -> list[InboxRow]:
        """One person's updates not yet handled, oldest first."""
        rows = await fetch_all(
            self.conn,
            "SELECT * FROM inbox WHERE channel = ? AND person = ? AND handled_at IS NULL ORDER BY id",
            (channel, person),
        )
        return [_row(r) for r in rows]

    async def handled(self, inbox_id: int, now: dt.datetime) -> bool:
        """Mark the update handled; False if it was handled before. Called in the transaction that handles it."""
        cur = await self.conn.execute(
            "UPDATE inbox SET handled_at = ? WHERE id = ? AND handled_at IS NULL", (to_db(now), inbox_id)
        )
        return cur.rowcount == 1

    async def prune(self, older_than: dt.datetime) -> int:
        """Forget handled updates older than any redelivery (the key must outlive the messenger's retries).

        No index on received_at (every update would write to it): rows are kept in the order they arrive, so
        the oldest are those with the lowest ids, and the prune reads them by id up to the first one received
        since. A row that arrived with an older time after that one (a clock set back) waits for a later prune."""
        cutoff = to_db(older_than)
        first_kept = await fetch_one(
            self.conn, "SELECT id FROM inbox WHERE received_at >= ? ORDER BY id LIMIT 1", (cutoff,)
        )
        if first_kept is None:
            cur = await self.conn.execute(
                "DELETE FROM inbox WHERE received_at < ? AND handled_at IS NOT NULL", (cutoff,)
            )
        else:
            cur = await self.conn.execute(
                "DELETE FROM inbox WHERE id < ? AND received_at < ? AND handled_at IS NOT NULL",
                (first_kept[0], cutoff),
            )
        return cur.rowcount


class Claim(Protocol):
    """How the transaction that handles an update takes it from the inbox, so it is handled once."""

    @property
    def id(self) -> int | None:
        """The update's row, once taken (its replies are kept with it)."""

    async def take(self, conn: Connection, now: dt.datetime) -> bool:
        """In the handling transaction; False if the update was handled (or kept) before."""

    async def give_up(self, conn: Connection, now: dt.datetime) -> None:
        """After a handling that failed and was rolled back: the update is not tried again."""

    def settled(self) -> None:
        """The update is committed to the inbox, or known to have been kept before: told once the handling
        transaction (or the one giving up) has committed."""


@dataclass
class KeptClaim:
    """An update kept before it was handled: taken by marking its row handled."""

    row_id: int

    @property
    def id(self) -> int | None:
        return self.row_id

    async def take(self, conn: Connection, now: dt.datetime) -> bool:
        return await InboxRepo(conn).handled(self.row_id, now)

    async def give_up(self, conn: Connection, now: dt.datetime) -> None:
        await InboxRepo(conn).handled(self.row_id, now)

    def settled(self) -> None:
        pass


class NewClaim:
    """An update not yet kept, kept by the very transaction that handles it, already marked handled: one commit
    instead of two (keep, then handle), and the messenger hears it arrived only once it is handled.

    `on_settled(True)` once it is committed, `on_settled(False)` if it was kept before (a redelivery)."""

    def __init__(self, channel: str, arrival: Arrival, on_settled: Callable[[bool], None]) -> None:
        self.channel = channel
        self.arrival = arrival
        self.on_settled = on_settled
        self._id: int | None = None
        self._committed = False

    @property
    def id(self) -> int | None:
        return self._id

    async def take(self, conn: Connection, now: dt.datetime) -> bool:
        self._id = await InboxRepo(conn).keep_handled(self.channel, self.arrival, now)
        return self._id is not None

    async def give_up(self, conn: Connection, now: dt.datetime) -> None:
        if self._committed:
            return  # kept, handled, and committed: what failed came after
        # What `take` wrote was rolled back with the handling.
        self._id = await InboxRepo(conn).keep_handled(self.channel, self.arrival, now)

    def settled(self) -> None:
        self._committed = self._id is not None
        self.on_settled(self._committed)
