"""The terminal chat's mailbox: messages the bot sent on its own, waiting for the person's chat to show them."""

from __future__ import annotations

import datetime as dt

from bot.conversation.messages import Reply
from bot.storage.database import Connection, fetch_all
from bot.storage.timefmt import to_db


class MailboxRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def put(self, chat_id: str, reply: Reply, now: dt.datetime) -> None:
        await self.conn.execute(
            "INSERT INTO console_mailbox (chat_id, payload, delivered_at) VALUES (?, ?, ?)",
            (chat_id, reply.model_dump_json(), to_db(now)),
        )

    async def take(self, chat_id: str, now: dt.datetime) -> list[Reply]:
        """The messages not yet shown in this chat, oldest first, marked shown."""
        rows = await fetch_all(
            self.conn,
            "SELECT id, payload FROM console_mailbox WHERE chat_id = ? AND shown_at IS NULL ORDER BY id",
            (chat_id,),
        )
        if rows:
            await self.conn.execute(
                "UPDATE console_mailbox SET shown_at = ? WHERE chat_id = ? AND shown_at IS NULL AND id <= ?",
                (to_db(now), chat_id, rows[-1][0]),
            )
        return [Reply.model_validate_json(row[1]) for row in rows]
