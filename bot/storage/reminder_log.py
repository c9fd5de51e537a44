"""Which reminder and escalation steps were decided, so that each is decided once."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from bot.storage.database import JOIN_SEPARATOR, Connection, fetch_all, fetch_one, joined_texts, split_joined
from bot.storage.timefmt import to_db


class ReminderLog:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def decided(self, periods: list[str] | None = None) -> set[str]:
        """The keys decided, all of them or those of the given periods only (a year of closed periods'
        keys is not read to plan the open ones)."""
        if periods is None:
            return {r[0] for r in await fetch_all(self.conn, "SELECT key FROM reminder_log")}
        if not periods:
            return set()
        # Every key of a period starts with "<kind>:<period>:" (";" is the character after ":"), so each
        # period's keys are one range of the primary key. They come back joined in one text rather than a row
        # each: after a few steps a province's plan has decided hundreds of thousands.
        ranges = [(f"{kind}:{period}:", f"{kind}:{period};") for period in periods for kind in ("rem", "esc")]
        each = " UNION ALL ".join(["SELECT key FROM reminder_log WHERE key >= ? AND key < ?"] * len(ranges))
        row = await fetch_one(
            self.conn,
            f"SELECT {joined_texts(self.conn, 'key')} FROM ({each}) AS decided",
            (JOIN_SEPARATOR, *(bound for pair in ranges for bound in pair)),
        )
        return split_joined(row[0] if row else None)

    async def record(self, keys: list[str], decision: Literal["sent", "skipped"], now: dt.datetime) -> None:
        """'sent': its messages were queued in this transaction; 'skipped': a catch-up passed over it, or
        nobody could be told."""
        at = to_db(now)
        await self.conn.executemany(
            "INSERT INTO reminder_log (key, decision, decided_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [(key, decision, at) for key in keys],
        )
