"""The folded keys stored beside names, so that a search asks an index instead of folding every row.

Every writer of these rows stores the keys with them; the same functions are registered on the database
connection so that a migration can fill in the keys of rows written before they existed."""

from __future__ import annotations

import aiosqlite

from bot.domain.review import nominee_key
from bot.domain.text import fold

__all__ = ["nominee_key", "register_functions", "unit_keys"]


def unit_keys(name: str, code: str) -> tuple[str, str]:
    """(name_key, code_key) of a unit version."""
    return fold(name), fold(code)


async def register_functions(conn: aiosqlite.Connection) -> None:
    for name, function in (("fold", fold), ("nominee_key", nominee_key)):
        await conn.create_function(name, 1, function, deterministic=True)
