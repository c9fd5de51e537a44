"""The database file itself: WAL, migrations applied once, and submissions that cannot be rewritten."""

from __future__ import annotations

import sqlite3

import pytest

from bot.app import App
from bot.storage.database import Database, path_from_url, split_statements
from tests.support.chat import Person
from tests.support.conversations import answer_up_to_summary


async def test_wal_and_foreign_keys(app: App) -> None:
    cur = await app.db.conn.execute("PRAGMA journal_mode")
    assert (await cur.fetchone())[0] == "wal"  # type: ignore[index]
    cur = await app.db.conn.execute("PRAGMA foreign_keys")
    assert (await cur.fetchone())[0] == 1  # type: ignore[index]


async def test_migrations_apply_once(app: App) -> None:
    again = await Database.open(app.db.path)
    try:
        assert await again.migrate() == []
    finally:
        await again.close()
    with sqlite3.connect(app.db.path) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations ORDER BY version")]
    assert versions[0] == 1 and versions == sorted(set(versions))


async def test_a_submitted_nomination_cannot_be_rewritten_or_deleted(app: App) -> None:
    person = Person(app)
    await answer_up_to_summary(person)
    await person.tap("Gửi")
    with sqlite3.connect(app.db.path) as conn:
        with pytest.raises(sqlite3.IntegrityError, match="immutable"):
            conn.execute("UPDATE nominations SET deed = 'changed'")
        with pytest.raises(sqlite3.IntegrityError, match="never deleted"):
            conn.execute("DELETE FROM nominations")
        conn.execute("UPDATE nominations SET status = 'in_review'")  # a status may change
        assert conn.execute("SELECT status FROM nominations").fetchone() == ("in_review",)


def test_database_url_forms() -> None:
    assert str(path_from_url("sqlite:///data/thidua.db")) == "data/thidua.db"
    assert str(path_from_url("sqlite:////var/lib/thidua.db")) == "/var/lib/thidua.db"
    with pytest.raises(ValueError, match="must start with"):
        path_from_url("postgres://x")


def test_triggers_split_as_one_statement() -> None:
    script = "CREATE TABLE a (x);\nCREATE TRIGGER t BEFORE DELETE ON a BEGIN\n SELECT 1;\n SELECT 2;\nEND;\n"
    assert len(split_statements(script)) == 2
