from __future__ import annotations

from bot.storage.database import Connection, fetch_one


async def next_in_sequence(conn: Connection, name: str, year: int) -> int:
    """The next number of a yearly sequence. Runs inside the caller's write transaction, so numbers are
    never handed out twice and a rolled-back submission does not burn one."""
    row = await fetch_one(
        conn,
        "INSERT INTO sequences (name, year, value) VALUES (?, ?, 1)"
        " ON CONFLICT (name, year) DO UPDATE SET value = sequences.value + 1 RETURNING value",
        (name, year),
    )
    assert row is not None
    return int(row[0])
