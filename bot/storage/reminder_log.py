from __future__ import annotations

import datetime as dt

import aiosqlite

from bot.storage.database import fetch_all
from bot.storage.timefmt import to_db


class ReminderLog:
    """Which reminder and escalation steps were decided (sent or skipped), so each is decided once."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def decided(self) -> set[str]:
        return {r[0] for r in await fetch_all(self.conn, "SELECT key FROM reminder_log")}

    async def record(self, keys: list[str], skipped: set[str], now: dt.datetime) -> None:
        await self.conn.executemany(
            "INSERT OR IGNORE INTO reminder_log (key, decision, decided_at) VALUES (?, ?, ?)",
            [(key, "skipped" if key in skipped else "sent", to_db(now)) for key in keys],
        )
