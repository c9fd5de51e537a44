"""Rows queued in the outbox directly, and their statuses counted."""

from __future__ import annotations

from bot.app import App
from bot.conversation.messages import Reply
from bot.outbox.limits import ChannelLimits
from bot.storage.outbox import OutboxRepo, ToQueue
from tests.support.db import rows

FAST = {"telegram": ChannelLimits(per_second=1000), "zalo": ChannelLimits(per_second=1000)}


async def enqueue(app: App, count: int, channel: str = "telegram", prefix: str = "m", chat_base: int = 1000) -> None:
    """`count` messages to as many chats, in one trip to the database as a reminder step queues them: one
    statement each took 2 s for a fan-out of 2,000 on PostgreSQL."""
    now = app.services.clock.now()
    messages = [
        ToQueue(f"{prefix}:{i}", channel, str(chat_base + i), None, Reply(text=f"Nhắc việc {i}")) for i in range(count)
    ]
    async with app.db.transaction() as conn:
        await OutboxRepo(conn).enqueue_many(messages, "test", now)


def statuses(app: App) -> dict[str, int]:
    return {str(s): int(str(n)) for s, n in rows(app, "SELECT status, COUNT(*) FROM outbox GROUP BY status")}
