"""One aiosqlite connection per process, WAL mode, foreign keys on, numbered migrations at start-up."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.errors import StartupError
from bot.storage.keys import register_functions

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseUnavailable(StartupError):
    """The database file cannot be opened: not a database, locked for longer than we wait, unreadable."""


def path_from_url(url: str) -> Path:
    """`sqlite:///data/thidua.db` (relative) or `sqlite:////var/lib/thidua.db` (absolute)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix):
        raise ValueError(f"DATABASE_URL must start with {prefix!r}, got {url!r}")
    rest = url[len(prefix) :]
    if not rest:
        raise ValueError("DATABASE_URL names no file")
    return Path(rest)


async def fetch_one(conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()) -> aiosqlite.Row | None:
    """One row in one trip to the database thread (execute + fetchone would be two)."""
    rows = await conn.execute_fetchall(sql, params)
    return next(iter(rows), None)


async def fetch_all(conn: aiosqlite.Connection, sql: str, params: Sequence[Any] = ()) -> list[aiosqlite.Row]:
    return list(await conn.execute_fetchall(sql, params))


def split_statements(script: str) -> list[str]:
    """Split a SQL script into complete statements (triggers with BEGIN ... END included)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            if current.strip():
                statements.append(current.strip())
            current = ""
    if current.strip() and not current.strip().startswith("--"):
        statements.append(current.strip())
    return statements


def _probe(path: Path) -> None:
    """Open the file and read its header: raises sqlite3.Error for one that is not a database."""
    conn = sqlite3.connect(path, timeout=10)
    try:
        conn.execute("PRAGMA schema_version").fetchall()
    finally:
        conn.close()


class Database:
    """Every statement goes through one connection guarded by one lock, so transactions never interleave.

    Other processes (a terminal chat beside the running bot) share the file; WAL and the busy timeout
    let them take turns.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
        db = cls(path)
        await db.connect()
        return db

    async def connect(self) -> None:
        """Open and migrate. A file that cannot be opened raises DatabaseUnavailable, with the connection's
        thread stopped: a process left with it running would never exit, and no supervisor would restart it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Tried plainly first: aiosqlite's thread outlives a failed connect and reports on a closed loop.
            await asyncio.to_thread(_probe, self.path)
            # isolation_level=None: we issue BEGIN/COMMIT ourselves.
            self._conn = await aiosqlite.connect(self.path, isolation_level=None)
            conn = self._conn
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA busy_timeout = 10000")
            await conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable against a killed process in WAL mode; only a power cut may lose the last commit.
            await conn.execute("PRAGMA synchronous = NORMAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await register_functions(conn)
            await self.migrate()
        except (sqlite3.Error, OSError) as exc:
            await self.close()
            raise DatabaseUnavailable(f"cannot open the database {self.path}: {exc}") from None

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not connected")
        return self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction: committed when the block ends, rolled back on any exception."""
        async with self._lock:
            conn = self.conn
            await conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                await conn.execute("ROLLBACK")
                raise
            else:
                await conn.execute("COMMIT")

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[aiosqlite.Connection]:
        """A consistent read of committed data."""
        async with self._lock:
            conn = self.conn
            await conn.execute("BEGIN")
            try:
                yield conn
            finally:
                await conn.execute("COMMIT")

    async def migrate(self) -> list[str]:
        conn = self.conn
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied: list[str] = []
        for path in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
            version = int(path.name[:4])
            async with self.transaction() as tx:
                if await fetch_one(tx, "SELECT 1 FROM schema_migrations WHERE version = ?", (version,)):
                    continue
                for statement in split_statements(path.read_text(encoding="utf-8")):
                    await tx.execute(statement)
                await tx.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at)"
                    " VALUES (?, ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                    (version, path.stem),
                )
                applied.append(path.stem)
        return applied
