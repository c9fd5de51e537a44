"""Which reminder and escalation steps were decided, so that each is decided once."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from bot.storage.database import Connection, fetch_all
from bot.storage.timefmt import to_db


class ReminderLog:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def decided(self, periods: list[str] | None = None) -> set[str]:
        """The keys decided, all of them or those of the given periods only (a year of closed periods'
        keys is not read to plan the open ones)."""
        if periods is None:
            return {r[0] for r in await fetch_all(self.conn, "SELECT key FROM reminder_log")}
        found: set[str] = set()
        for period in periods:
            for kind in ("rem", "esc"):
                # Every key of the period starts with "<kind>:<period>:"; ";" is the character after ":".
                rows = await fetch_all(
                    self.conn,
                    "SELECT key FROM reminder_log WHERE key >= ? AND key < ?",
                    (f"{kind}:{period}:", f"{kind}:{period};"),
                )
                found.update(r[0] for r in rows)
        return found

    async def record(self, keys: list[str], decision: Literal["sent", "skipped"], now: dt.datetime) -> None:
        """'sent': its messages were queued in this transaction; 'skipped': a catch-up passed over it, or
        nobody could be told."""
        await self.conn.executemany(
            "INSERT INTO reminder_log (key, decision, decided_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            [(key, decision, to_db(now)) for key in keys],
        )
