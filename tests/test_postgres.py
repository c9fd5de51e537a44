"""The PostgreSQL layer itself: placeholders, migrations once, the rules triggers keep, rows like SQLite's."""

from __future__ import annotations

import pytest

from bot.app import App
from tests.support.chat import Person
from tests.support.conversations import answer_up_to_summary
from tests.support.engines import select

psycopg = pytest.importorskip("psycopg")

from bot.storage.postgres import PostgresDatabase, translate  # noqa: E402


def test_placeholders_become_psycopg_ones_outside_literals() -> None:
    assert translate("SELECT * FROM t WHERE a = ? AND b LIKE ?") == "SELECT * FROM t WHERE a = %s AND b LIKE %s"
    assert translate("SELECT '?', 'x%' FROM t WHERE a = ?") == "SELECT '?', 'x%%' FROM t WHERE a = %s"
    assert translate("SELECT 5 % ? -- what?\n") == "SELECT 5 %% %s -- what?\n"
    assert translate("SELECT 'it''s ?' || ?") == "SELECT 'it''s ?' || %s"


@pytest.mark.parametrize("db_engine", ["postgresql"])
async def test_migrations_apply_once_and_submissions_cannot_be_rewritten(app: App) -> None:
    assert isinstance(app.db, PostgresDatabase)
    again = await PostgresDatabase.open_url(app.db.url)
    try:
        assert await again.migrate() == []
    finally:
        await again.close()
    versions = [v for (v,) in select(app.db, "SELECT version FROM schema_migrations ORDER BY version")]
    assert versions[0] == 1 and versions == sorted(set(versions))

    person = Person(app)
    await answer_up_to_summary(person)
    await person.tap("Gửi")
    with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="immutable"):
        select(app.db, "UPDATE nominations SET deed = 'changed'")
    with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match="never deleted"):
        select(app.db, "DELETE FROM nominations")
    select(app.db, "UPDATE nominations SET status = 'in_review'")  # a status may change
    assert select(app.db, "SELECT status, anonymous FROM nominations") == [("in_review", 0)]


@pytest.mark.parametrize("db_engine", ["postgresql"])
async def test_rows_read_by_name_and_position_with_sqlite_types(app: App) -> None:
    async with app.db.transaction() as conn:
        cur = await conn.execute(
            "SELECT ? AS flag, SUM(x) AS total, AVG(x) AS mean FROM (VALUES (1), (2)) v(x)", (True,)
        )
        row = await cur.fetchone()
    assert row is not None
    assert (row["flag"], row["total"], row["mean"]) == (1, 3, 1.5)
    assert tuple(row) == (1, 3, 1.5) and row.keys() == ["flag", "total", "mean"]
    assert type(row["total"]) is int
