"""The database layer: one connection per process, numbered migrations at start-up, on SQLite or PostgreSQL.

SQLite (aiosqlite, WAL mode, foreign keys on) is the default. `DATABASE_URL=postgresql://…` opens the same
repositories on PostgreSQL (bot/storage/postgres.py). Repositories see only `Connection`: SQL written once
in the dialect both engines accept, `?` placeholders, rows read by name or position.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any, Protocol

import aiosqlite

from bot.errors import StartupError
from bot.storage.checkpoints import Checkpointer
from bot.storage.direct import BUSY_TIMEOUT_MS, DirectConnection
from bot.storage.keys import register_functions

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_PREFIX = "sqlite:///"
POSTGRES_PREFIXES = ("postgresql://", "postgres://")


class Row(Protocol):
    """A result row: by position, by column name, unpacked like a tuple (sqlite3.Row on SQLite)."""

    def __getitem__(self, key: int | str, /) -> Any: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...
    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...
    @property
    def lastrowid(self) -> int | None: ...
    async def fetchone(self) -> Row | None: ...
    async def fetchmany(self, size: int | None = None) -> Iterable[Row]: ...
    async def fetchall(self) -> Iterable[Row]: ...


class Connection(Protocol):
    """What repositories call. An aiosqlite connection is one as it is; PostgreSQL has a thin adapter."""

    def execute(self, sql: str, parameters: Iterable[Any] | None = None, /) -> Awaitable[Cursor]: ...
    def executemany(self, sql: str, parameters: Iterable[Iterable[Any]], /) -> Awaitable[Cursor]: ...
    def execute_fetchall(self, sql: str, parameters: Iterable[Any] | None = None, /) -> Awaitable[Iterable[Row]]: ...


def is_sqlite(conn: Connection) -> bool:
    """For the rare statement only SQLite has (its full-text index); everything else is written once."""
    return isinstance(conn, (aiosqlite.Connection, DirectConnection))


# Between texts joined in one value by `joined_texts`: the unit separator of ASCII, which no unit code and
# no key holds. Given to the aggregate as a parameter.
JOIN_SEPARATOR = "\x1f"


def joined_texts(conn: Connection, column: str) -> str:
    """An aggregate joining a group's `column` into one text, for `JOIN_SEPARATOR` as its parameter: tens of
    thousands of short values cost less to hand over as one text than a row each."""
    return f"{'group_concat' if is_sqlite(conn) else 'string_agg'}({column}, ?)"


def split_joined(text: str | None) -> set[str]:
    return set(text.split(JOIN_SEPARATOR)) if text else set()


def skip_locked(conn: Connection) -> str:
    """` FOR UPDATE SKIP LOCKED` where rows can be locked (PostgreSQL): a row another worker holds is passed
    over rather than waited for. SQLite has one writer at a time, so nothing is needed there."""
    return "" if is_sqlite(conn) else " FOR UPDATE SKIP LOCKED"


async def try_lock(conn: Connection, key: int) -> bool:
    """Take the lock `key` for the rest of this transaction, or False at once if another worker holds it.
    On SQLite the write transaction is the only one, so it always holds."""
    if is_sqlite(conn):
        return True
    row = await fetch_one(conn, "SELECT pg_try_advisory_xact_lock(?)", (key,))
    return bool(row and row[0])


def is_postgres_url(url: str) -> bool:
    return url.startswith(POSTGRES_PREFIXES)


async def _begin(conn: Connection, statement: str) -> None:
    """Start a transaction, and undo it if a stop lands meanwhile.

    aiosqlite has queued the BEGIN on its thread before the await can be cancelled, so a stop that lands while
    it runs does not stop it: without the ROLLBACK the connection would stay inside a transaction that nobody
    ends, and every later transaction would fail ("cannot start a transaction within a transaction")."""
    try:
        await conn.execute(statement)
    except BaseException:
        # When the BEGIN itself failed there is no transaction to roll back, and that error is the one to raise.
        with suppress(sqlite3.Error):
            await conn.execute("ROLLBACK")
        raise


async def _begin_direct(direct: DirectConnection, statement: str) -> None:
    """Start a transaction on the loop's thread. When it had to wait on a worker thread for another process's
    lock and a stop landed meanwhile, the BEGIN may have run all the same: then it is undone."""
    try:
        await direct.execute(statement)
    except BaseException:
        _rollback_left_open(direct)
        raise


def _rollback_left_open(direct: DirectConnection) -> None:
    if direct.raw.in_transaction:
        direct.raw.execute("ROLLBACK")


class DatabaseUnavailable(StartupError):
    """The database file cannot be opened: not a database, locked for longer than we wait, unreadable."""


def path_from_url(url: str) -> Path:
    """`sqlite:///data/thidua.db` (relative) or `sqlite:////var/lib/thidua.db` (absolute)."""
    prefix = SQLITE_PREFIX
    if not url.startswith(prefix):
        raise ValueError(f"DATABASE_URL must start with {prefix!r}, got {url!r}")
    rest = url[len(prefix) :]
    if not rest:
        raise ValueError("DATABASE_URL names no file")
    return Path(rest)


async def fetch_one(conn: Connection, sql: str, params: Sequence[Any] = ()) -> Row | None:
    """One row in one trip to the database thread (execute + fetchone would be two)."""
    rows = await conn.execute_fetchall(sql, params)
    return next(iter(rows), None)


async def fetch_all(conn: Connection, sql: str, params: Sequence[Any] = ()) -> list[Row]:
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


class Block(Protocol):
    """What `Database.transaction` and `one_statement` return: `async with` it for the connection."""

    async def __aenter__(self) -> Connection: ...
    async def __aexit__(self, exc_type: Any, exc: Any, traceback: Any, /) -> bool | None: ...


class _QuickBlock:
    """A quick transaction (or single statement) on the loop's thread, as a class rather than a generator: an
    update runs three of them, and a generator's machinery cost as much as a statement each time. Holds the
    database's lock from the start of the block to its end; a transaction commits when the block ends without
    an exception, and whatever is left open (an exception, a stop, a COMMIT that failed) is rolled back."""

    __slots__ = ("_db", "_direct", "_transaction")

    def __init__(self, db: Database, *, transaction: bool) -> None:
        self._db = db
        self._transaction = transaction

    async def __aenter__(self) -> DirectConnection:
        db = self._db
        await db._lock.acquire()
        try:
            direct = await db._go_direct()
            if self._transaction:
                await _begin_direct(direct, "BEGIN IMMEDIATE")
        except BaseException:
            db._lock.release()
            raise
        self._direct = direct
        return direct

    async def __aexit__(self, exc_type: Any, exc: Any, traceback: Any, /) -> bool:
        db = self._db
        try:
            if not self._transaction:
                if exc_type is None:
                    db.checkpoints.written()
                return False
            try:
                if exc_type is None:
                    await self._direct.execute("COMMIT")
                    db.checkpoints.written()
            finally:
                _rollback_left_open(self._direct)
        finally:
            db._lock.release()
        return False


class Database:
    """Every statement goes through one connection guarded by one lock, so transactions never interleave.

    Other processes (a terminal chat beside the running bot) share the file; WAL and the busy timeout
    let them take turns.
    """

    engine = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._direct: DirectConnection | None = None
        self._lock = asyncio.Lock()
        # A block on aiosqlite's thread ended by an exception (a stop, say) while a statement it queued may still
        # run there: the next block that uses the connection from the loop waits for the thread to be idle first.
        self._thread_unsettled = False
        # Whether statements wait for another process's lock (busy_timeout), as those on aiosqlite's thread must,
        # or fail at once, as those on the loop's thread must: switched only when the other kind of block comes.
        self._waits = True
        self.checkpoints = Checkpointer(path)

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
            self._conn = await aiosqlite.Connection(self._connector, 64)
            conn = self._conn
            conn.row_factory = aiosqlite.Row
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable against a killed process in WAL mode; only a power cut may lose the last commit.
            await conn.execute("PRAGMA synchronous = NORMAL")
            # Copying the log into the file is the checkpointer's, on a thread of its own: never an update's.
            await conn.execute("PRAGMA wal_autocheckpoint = 0")
            await conn.execute("PRAGMA foreign_keys = ON")
            await register_functions(conn)
            await self.migrate()
        except (sqlite3.Error, OSError) as exc:
            await self.close()
            raise DatabaseUnavailable(f"cannot open the database {self.path}: {exc}") from None

    def _connector(self) -> sqlite3.Connection:
        """Run on aiosqlite's thread. isolation_level=None: we issue BEGIN/COMMIT ourselves. Usable from other
        threads, for the quick blocks that run statements on the loop's thread while the lock is held."""
        raw = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        self._direct = DirectConnection(raw)
        return raw

    async def close(self) -> None:
        await self.checkpoints.close()
        if self._conn is not None:
            await self._conn.close()
            self._conn = None
            self._direct = None

    @property
    def conn(self) -> Connection:
        if self._conn is None:
            raise RuntimeError("database is not connected")
        return self._conn

    async def _settle(self) -> DirectConnection:
        """The connection for use from the loop's thread, once aiosqlite's thread has nothing left to run; the
        lock is held."""
        direct = self._direct
        if self._conn is None or direct is None:
            raise RuntimeError("database is not connected")
        if self._thread_unsettled:
            # Queued behind whatever the thread may still run; once it answers, the thread is idle.
            await self._conn.execute("SELECT 1")
            self._thread_unsettled = False
        return direct

    async def _go_direct(self) -> DirectConnection:
        direct = await self._settle()
        if self._waits:
            direct.raw.execute("PRAGMA busy_timeout = 0")
            self._waits = False
        return direct

    async def _go_thread(self) -> aiosqlite.Connection:
        if not self._waits:
            direct = await self._settle()
            direct.raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._waits = True
        assert self._conn is not None
        return self._conn

    def transaction(self, *, exclusive: bool = True, quick: bool = False) -> Block:
        """A write transaction: committed when the block ends, rolled back on any exception.

        SQLite has one writer at a time whatever `exclusive` says; on PostgreSQL an exclusive transaction
        waits for every other exclusive one (so read-then-write code stays correct across workers), while
        `exclusive=False` is for statements that lock only the rows they touch (outbox claims, inbox rows).

        `quick=True` is for short work (a few statements on indexed rows): on SQLite its statements run on the
        event loop's thread rather than aiosqlite's (see bot/storage/direct.py); nothing else changes."""
        if quick:
            return _QuickBlock(self, transaction=True)
        return self._thread_transaction()

    @asynccontextmanager
    async def _thread_transaction(self) -> AsyncIterator[Connection]:
        async with self._lock:
            conn = await self._go_thread()
            try:
                await _begin(conn, "BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    await conn.execute("ROLLBACK")
                    raise
                else:
                    await conn.execute("COMMIT")
                    self.checkpoints.written()
            except BaseException:
                self._thread_unsettled = True
                raise

    def one_statement(self, *, quick: bool = False, exclusive: bool = True) -> Block:
        """For a single statement, which commits as it runs: one trip to the database thread instead of three
        (BEGIN, the statement, COMMIT). A second statement here would commit on its own, apart from the first.
        `quick=True` runs it on the loop's thread (see `transaction`); `exclusive=False` as in `transaction`,
        for a statement that needs only the rows it touches ordered (SQLite has one writer whatever it says)."""
        if quick:
            return _QuickBlock(self, transaction=False)
        return self._thread_statement()

    @asynccontextmanager
    async def _thread_statement(self) -> AsyncIterator[Connection]:
        async with self._lock:
            conn = await self._go_thread()
            try:
                yield conn
            except BaseException:
                self._thread_unsettled = True
                raise
            self.checkpoints.written()

    @asynccontextmanager
    async def reading(self, *, quick: bool = False) -> AsyncIterator[Connection]:
        """A consistent read of committed data. `quick=True` runs it on the loop's thread (see `transaction`):
        only for a read of a few indexed rows."""
        async with self._lock:
            if quick:
                direct = await self._go_direct()
                await _begin_direct(direct, "BEGIN")
                try:
                    yield direct
                finally:
                    if direct.raw.in_transaction:
                        direct.raw.execute("COMMIT")
                return
            conn = await self._go_thread()
            try:
                await _begin(conn, "BEGIN")
                try:
                    yield conn
                finally:
                    await conn.execute("COMMIT")
            except BaseException:
                self._thread_unsettled = True
                raise

    @asynccontextmanager
    async def one_read(self, *, quick: bool = False) -> AsyncIterator[Connection]:
        """A read of a single statement, which is a consistent snapshot by itself: on a server it needs no
        BEGIN and COMMIT around it (one trip instead of three). Here it is `reading`."""
        async with self.reading(quick=quick) as conn:
            yield conn

    async def migrate(self) -> list[str]:
        conn = self.conn
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied: list[str] = []
        # Read at once what is there: opening an up-to-date database (every start but the first after an
        # upgrade, and every test's copy) then costs no transaction per migration. A missing one is still looked
        # for again inside its own transaction: another process may be applying it at the same moment.
        present = {row[0] for row in await conn.execute_fetchall("SELECT version FROM schema_migrations")}
        for path in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
            version = int(path.name[:4])
            if version in present:
                continue
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


async def insert_id(conn: Connection, sql: str, params: Sequence[Any] = ()) -> int:
    """Run an INSERT of one row and return its id (RETURNING, which both engines have; lastrowid is SQLite's)."""
    row = await fetch_one(conn, f"{sql} RETURNING id", params)
    assert row is not None
    return int(row[0])
