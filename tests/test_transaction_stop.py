"""A stop that lands while a transaction is starting leaves the database usable."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.storage.database import Database


@pytest.mark.parametrize("kind", ["transaction", "reading"])
async def test_a_stop_while_beginning_leaves_no_transaction_open(tmp_path: Path, kind: str) -> None:
    db = await Database.open(tmp_path / "thidua.db")
    try:

        async def begin() -> None:
            async with db.transaction() if kind == "transaction" else db.reading():
                pass

        task = asyncio.create_task(begin())
        await asyncio.sleep(0)  # the task now waits for SQLite's thread to run its BEGIN
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO users (channel, external_id, chat_id, created_at) VALUES ('console', '7', '7', 'now')"
            )
        async with db.reading() as conn:
            cursor = await conn.execute("SELECT external_id FROM users")
            assert [row[0] for row in await cursor.fetchall()] == ["7"]
    finally:
        await db.close()
