"""Rows queued in the outbox directly, and their statuses counted."""

from __future__ import annotations

from bot.app import App
from bot.conversation.messages import Reply
from bot.outbox.limits import ChannelLimits
from bot.storage.outbox import OutboxRepo
from tests.support.db import rows

FAST = {"telegram": ChannelLimits(per_second=1000), "zalo": ChannelLimits(per_second=1000)}


async def enqueue(app: App, count: int, channel: str = "telegram", prefix: str = "m", chat_base: int = 1000) -> None:
    now = app.services.clock.now()
    async with app.db.transaction() as conn:
        repo = OutboxRepo(conn)
        for i in range(count):
            await repo.enqueue(f"{prefix}:{i}", channel, str(chat_base + i), Reply(text=f"Nhắc việc {i}"), "test", now)


def statuses(app: App) -> dict[str, int]:
    return {str(s): int(str(n)) for s, n in rows(app, "SELECT status, COUNT(*) FROM outbox GROUP BY status")}
