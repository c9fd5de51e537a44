"""The migrations a database records are the files on disk: each file applied once, in order, under its own
number, and the SQLite and PostgreSQL folders twins of each other."""

from __future__ import annotations

from pathlib import Path

from bot.storage import database, postgres
from bot.storage.opening import open_database
from tests.support.engines import select

# Each database test runs on SQLite and on PostgreSQL.
BOTH_ENGINES = True

FOLDERS = {"sqlite": database.MIGRATIONS_DIR, "postgresql": postgres.MIGRATIONS_DIR}


def on_disk(folder: Path) -> list[tuple[int, str]]:
    return [(int(p.name[:4]), p.stem) for p in sorted(folder.glob("[0-9][0-9][0-9][0-9]_*.sql"))]


def test_every_sql_file_is_a_numbered_migration_with_a_number_of_its_own() -> None:
    for folder in FOLDERS.values():
        files = sorted(p.name for p in folder.iterdir() if p.suffix == ".sql")
        assert [f"{name}.sql" for _, name in on_disk(folder)] == files, f"{folder}: a file the migrator skips"
        numbers = [number for number, _ in on_disk(folder)]
        assert len(set(numbers)) == len(numbers), f"{folder}: two files share a number; one would never run"


def test_the_postgresql_migrations_are_twins_of_the_sqlite_ones() -> None:
    assert on_disk(FOLDERS["postgresql"]) == on_disk(FOLDERS["sqlite"])


async def test_the_database_records_each_file_once_and_opening_again_applies_nothing(
    database_url: str, db_engine: str
) -> None:
    db = await open_database(database_url)
    try:
        recorded = select(db, "SELECT version, name FROM schema_migrations ORDER BY version")
        assert [(int(v), str(n)) for v, n in recorded] == on_disk(FOLDERS[db_engine])
        stamps = select(db, "SELECT version, applied_at FROM schema_migrations ORDER BY version")
        assert await db.migrate() == []
        assert select(db, "SELECT version, applied_at FROM schema_migrations ORDER BY version") == stamps
    finally:
        await db.close()
