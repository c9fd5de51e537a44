"""Unit search on both engines: the same units found, and on PostgreSQL through the trigram index of the
folded keys (pg_trgm) rather than by reading every unit."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.storage.units import UnitRepo

pytestmark = pytest.mark.parametrize("db_engine", ["sqlite", "postgresql"])


async def search(app: App, query: str) -> list[str]:
    async with app.db.reading() as conn:
        return [u.code for u in await UnitRepo(conn).search(query)]


async def test_the_same_units_are_found_on_either_engine(app: App) -> None:
    assert await search(app, "thap muoi") == ["H-THAPMUOI"]
    assert await search(app, "THÁP   mười") == ["H-THAPMUOI"]
    assert await search(app, "h-thapmuoi") == ["H-THAPMUOI"]
    assert await search(app, "cao lanh") == ["H-CAOLANH", "TP-CAOLANH"]
    assert await search(app, "lanh cao") == ["H-CAOLANH", "TP-CAOLANH"]  # an exact name wins only whole
    assert await search(app, "thành phố cao lãnh") == ["TP-CAOLANH"]
    assert await search(app, "muoi%") == [] and await search(app, "thap_muoi") == []  # no wildcards
    assert await search(app, "không có đơn vị này") == []


async def test_on_postgresql_the_words_are_looked_up_in_the_trigram_index(app: App) -> None:
    if app.db.engine != "postgresql":
        return  # SQLite's FTS5 trigram table is checked by test_folded_keys.py
    async with app.db.reading() as conn:
        # A few dozen units: the planner would read them all; told not to, it shows what it can use.
        await conn.execute("SET LOCAL enable_seqscan = off")
        plan = [
            str(row[0])
            for row in await conn.execute_fetchall(
                "EXPLAIN SELECT v.code FROM unit_versions v WHERE (v.name_key || ' ' || v.code_key) LIKE ?"
                " AND (v.name_key || ' ' || v.code_key) LIKE ?",
                ("%thap%", "%muoi%"),
            )
        ]
    assert any("unit_versions_keys_trigram" in line for line in plan), plan
