from __future__ import annotations

import datetime as dt

from bot.storage.database import Connection, fetch_one
from bot.storage.timefmt import to_db


class ProcessedUpdates:
    """The log of platform updates already handled, so a redelivered update is handled once."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def seen(self, channel: str, key: str) -> bool:
        row = await fetch_one(
            self.conn, "SELECT 1 FROM processed_updates WHERE channel = ? AND update_key = ?", (channel, key)
        )
        return row is not None

    async def claim(self, channel: str, key: str, now: dt.datetime) -> bool:
        """Record the update; False if it was recorded before."""
        cur = await self.conn.execute(
            "INSERT INTO processed_updates (channel, update_key, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
            (channel, key, to_db(now)),
        )
        return cur.rowcount == 1

    async def prune(self, older_than: dt.datetime) -> int:
        cur = await self.conn.execute("DELETE FROM processed_updates WHERE processed_at < ?", (to_db(older_than),))
        return cur.rowcount
