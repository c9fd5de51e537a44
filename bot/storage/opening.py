"""Opening the database DATABASE_URL names. Kept apart from both engines' modules: PostgreSQL's builds on
SQLite's Database, and only this chooser knows them both."""

from __future__ import annotations

from bot.storage.database import Database, is_postgres_url, path_from_url


async def open_database(url: str) -> Database:
    """The database DATABASE_URL names: a SQLite file, or a PostgreSQL server (with the `postgres` extra)."""
    if is_postgres_url(url):
        from bot.storage.postgres import PostgresDatabase  # psycopg is an optional extra

        return await PostgresDatabase.open_url(url)
    return await Database.open(path_from_url(url))
