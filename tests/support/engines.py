"""Both database engines for the tests: a SQLite file, or a fresh PostgreSQL database per test.

The PostgreSQL server comes from TEST_POSTGRES_URL (`make test` starts one where PostgreSQL is installed).
Each test gets its own database copied from a template that has every migration applied, so a test costs
one CREATE DATABASE, not a migration run.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import pytest

from bot.storage.database import Database

if TYPE_CHECKING:
    from bot.storage.postgres import PostgresDatabase
else:
    try:
        from bot.storage.postgres import PostgresDatabase
    except ImportError:  # without the postgres extra, every database is SQLite

        class PostgresDatabase:
            pass


ENGINES = ("sqlite", "postgresql")
# One template per pytest-xdist worker: CREATE DATABASE … TEMPLATE fails while another session copies it.
TEMPLATE = f"thidua_template_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
HOW_TO_RUN = (
    "PostgreSQL tests skipped: install PostgreSQL (apt-get install postgresql) and run `make test` as root, "
    "or set TEST_POSTGRES_URL=postgresql://user@host:port/db"
)

_template_ready: dict[str, bool] = {}
_template_lock = asyncio.Lock()


def server_url() -> str:
    """The server's URL, or skip (fail under CI=true: there the tests must run)."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        return url
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("CI=true but TEST_POSTGRES_URL is not set: the PostgreSQL tests must run in CI")
    pytest.skip(HOW_TO_RUN)


def with_database(url: str, name: str) -> str:
    base, _, _ = url.rpartition("/")
    return f"{base}/{name}"


async def _admin(url: str, *statements: str) -> None:
    import psycopg

    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        for statement in statements:
            await conn.execute(statement.encode())


async def _ensure_template(url: str) -> None:
    async with _template_lock:
        if _template_ready.get(url):
            return
        # One template per test run: migrations may have changed since the last run.
        await _admin(url, f"DROP DATABASE IF EXISTS {TEMPLATE}", f"CREATE DATABASE {TEMPLATE}")
        db = await PostgresDatabase.open_url(with_database(url, TEMPLATE))
        await db.close()
        _template_ready[url] = True


@asynccontextmanager
async def fresh_postgres() -> AsyncIterator[str]:
    """The URL of a new database with every migration applied, dropped afterwards."""
    url = server_url()
    await _ensure_template(url)
    name = f"thidua_t_{uuid.uuid4().hex[:12]}"
    await _admin(url, f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    try:
        yield with_database(url, name)
    finally:
        await _admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@asynccontextmanager
async def postgres_collated_as(icu_locale: str) -> AsyncIterator[str]:
    """The URL of a new, empty database whose text sorts by a language's rules (an ICU locale, as a host
    whose default locale is en_US.UTF-8 would create it) rather than by bytes, dropped afterwards. The bot
    migrates it when it opens it."""
    url = server_url()
    name = f"thidua_icu_{uuid.uuid4().hex[:12]}"
    await _admin(
        url, f"CREATE DATABASE {name} TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '{icu_locale}' LOCALE 'C'"
    )
    try:
        yield with_database(url, name)
    finally:
        await _admin(url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def select(db: Database, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Read (or change) the database behind the app's back, as an operator would, on either engine."""
    if isinstance(db, PostgresDatabase):
        import psycopg

        from bot.storage.postgres import translate

        with psycopg.connect(db.url, autocommit=True) as conn:
            cur = conn.execute(translate(sql), params) if params else conn.execute(sql.encode())
            return [tuple(r) for r in cur.fetchall()] if cur.description else []
    with sqlite3.connect(db.path) as conn:
        return conn.execute(sql, params).fetchall()
