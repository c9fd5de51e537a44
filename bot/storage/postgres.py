"""The same repositories on PostgreSQL: psycopg 3 (async) through a psycopg-pool pool.

Repositories write SQL once with `?` placeholders; here they become psycopg's `%s` (a literal `%` doubled),
outside string literals. Statements are never prepared on the server (prepare_threshold=None), so the bot
works behind PgBouncer in transaction mode. Values travel as SQLite keeps them: times as ISO text, flags as
0/1 (a Python bool is sent as an integer), sums and averages come back as int or float, not Decimal.
"""

from __future__ import annotations

import asyncio
import functools
import secrets
import tempfile
from collections.abc import AsyncIterator, Callable, Collection, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg.adapt import Loader
from psycopg.types.numeric import IntDumper
from psycopg_pool import AsyncConnectionPool

from bot.conversation.numbers import whole_number
from bot.storage.database import Connection, Database, Row

MIGRATIONS_DIR = Path(__file__).parent / "migrations_postgres"
# Any number: every exclusive write transaction takes this one transaction-level advisory lock, which is
# what SQLite's BEGIN IMMEDIATE gives for free. Other advisory keys (planning) use different numbers.
WRITER_LOCK = 7_140_001
MIGRATION_LOCK = 7_140_000
# The first key of the session advisory locks a worker holds on its own connection: one names the process,
# the others the people whose updates it is handling.
LIVE_WORKER = 7_142
PERSON_QUEUE = 7_143


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """`?` → `%s` and `%` → `%%`, except inside '…' literals, "…" identifiers and -- comments."""
    out: list[str] = []
    quote: str | None = None
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if quote is not None:
            if ch == "%":
                out.append("%%")
            else:
                out.append(ch)
                if ch == quote:
                    quote = None
        elif ch in ("'", '"'):
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        elif ch == "-" and sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            out.append(sql[i:end].replace("%", "%%"))
            i = end
            continue
        else:
            out.append(ch)
        i += 1
    return "".join(out)


class PgRow:
    """A row readable by position and by name, like sqlite3.Row."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: Sequence[Any], index: dict[str, int]) -> None:
        self._values = tuple(values)
        self._index = index

    def __getitem__(self, key: int | str, /) -> Any:
        if isinstance(key, str):
            return self._values[self._index[key]]
        return self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PgRow):
            return self._values == other._values
        return isinstance(other, tuple) and self._values == other

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return f"PgRow{self._values!r}"

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: psycopg.AsyncCursor[Any]) -> Callable[[Sequence[Any]], PgRow]:
    index = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: PgRow(values, index)


class _NumberLoader(Loader):
    """NUMERIC (what SUM and AVG of integers give) as int when whole, else float: as SQLite returns them."""

    def load(self, data: Any) -> int | float:
        number = Decimal(bytes(data).decode())
        return int(number) if number == number.to_integral_value() else float(number)


class _BoolAsInt(IntDumper):
    """Flags are INTEGER 0/1 columns on both engines; Python's True/False go in as 1/0."""

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


class PgCursor:
    """The outcome of one statement, fetched at once (repositories read small results)."""

    def __init__(self, rowcount: int, rows: list[PgRow]) -> None:
        self._rowcount = rowcount
        self._rows = rows
        self._at = 0

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int | None:
        # PostgreSQL has no such thing; repositories use INSERT … RETURNING id on both engines.
        return None

    async def fetchone(self) -> Row | None:
        if self._at >= len(self._rows):
            return None
        self._at += 1
        return self._rows[self._at - 1]

    async def fetchmany(self, size: int | None = None) -> list[Row]:
        take = self._rows[self._at : self._at + (size or 1)]
        self._at += len(take)
        return list(take)

    async def fetchall(self) -> list[Row]:
        rest = self._rows[self._at :]
        self._at = len(self._rows)
        return list(rest)


class PgConnection:
    """The connection repositories see (bot.storage.database.Connection) over one psycopg connection."""

    def __init__(self, conn: psycopg.AsyncConnection[Any], url: str = "") -> None:
        self.raw = conn
        # The database's address, for a long read on a connection of its own (an export).
        self.url = url

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None, /) -> PgCursor:
        params = tuple(parameters) if parameters is not None else ()
        async with self.raw.cursor(row_factory=_row_factory) as cur:
            if params:
                await cur.execute(translate(sql), params)
            else:
                # No parameters: psycopg leaves the text alone, so `%` needs no doubling.
                await cur.execute(sql.encode())
            rows = await cur.fetchall() if cur.description is not None else []
            return PgCursor(cur.rowcount, rows)

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]], /) -> PgCursor:
        batch = [tuple(p) for p in parameters]
        if not batch:
            return PgCursor(0, [])
        async with self.raw.cursor() as cur:
            await cur.executemany(translate(sql), batch)
            return PgCursor(cur.rowcount, [])

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] | None = None, /) -> list[Row]:
        return await (await self.execute(sql, parameters)).fetchall()

    async def stream(self, sql: str, params: Sequence[Any], size: int) -> AsyncIterator[list[Row]]:
        """A long read in batches through a cursor on the server, so that it is never all in memory."""
        async with self.raw.cursor(name=f"long_read_{secrets.token_hex(4)}", row_factory=_row_factory) as cur:
            await cur.execute(translate(sql), tuple(params))
            while rows := await cur.fetchmany(size):
                yield list(rows)


@asynccontextmanager
async def read_snapshot(url: str) -> AsyncIterator[PgConnection]:
    """A connection of its own for a long read (an export), in one read-only snapshot: every sheet of a file
    sees the same moment, and the bot's pool is not held up for as long as the file takes to write."""
    raw = await psycopg.AsyncConnection.connect(url, prepare_threshold=None)
    try:
        await _configure(raw)
        await raw.execute(b"BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield PgConnection(raw, url)
    finally:
        await raw.close()


async def _configure(conn: psycopg.AsyncConnection[Any]) -> None:
    conn.adapters.register_dumper(bool, _BoolAsInt)
    conn.adapters.register_loader("numeric", _NumberLoader)
    await conn.set_autocommit(True)


class WorkerLocks:
    """Locks this process holds on a connection of its own, outside the pool, for as long as it lives.

    One names the process: what it claims (outbox messages) carries that name, and a worker on any machine
    asks the server whether the lock is still held. The server lets go of a session's locks when its
    connection ends, so a killed worker is seen at once (a machine that vanishes, once TCP keepalive gives
    up on it, within a minute). The others are per person: the worker holding a person's lock handles that
    person's updates, in order, and the other workers leave them alone (the per-contact queue of RapidPro's
    mailroom). Session locks need a session: behind PgBouncer in transaction mode this one connection must
    reach the server directly or through a session pool."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.token = str(secrets.randbelow(2**31 - 2) + 1)
        self._conn: psycopg.AsyncConnection[Any] | None = None
        self._lock = asyncio.Lock()

    async def _connection(self) -> psycopg.AsyncConnection[Any]:
        if self._conn is None or self._conn.closed:
            conn = await psycopg.AsyncConnection.connect(
                self.url,
                autocommit=True,
                prepare_threshold=None,
                keepalives=1,
                keepalives_idle=10,
                keepalives_interval=5,
                keepalives_count=3,
            )
            await conn.execute("SELECT pg_advisory_lock(%s, %s)", (LIVE_WORKER, int(self.token)))
            self._conn = conn
        return self._conn

    async def _value(self, sql: str, params: Sequence[Any]) -> Any:
        async with self._lock:
            conn = await self._connection()
            cur = await conn.execute(sql.encode(), params)
            row = await cur.fetchone()
            return row[0] if row else None

    async def own_token(self) -> str:
        """This process's name, its lock taken first."""
        await self._value("SELECT 1 WHERE %s = %s", (1, 1))
        return self.token

    async def alive(self, tokens: Collection[str]) -> set[str]:
        """Which of these processes still hold their lock, wherever they run."""
        numbers = [n for token in tokens if (n := whole_number(token, max_digits=10)) is not None]
        if not numbers:
            return set()
        async with self._lock:
            conn = await self._connection()
            cur = await conn.execute(
                b"SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = %s"
                b" AND objsubid = 2 AND granted AND objid::bigint = ANY(%s)",
                (LIVE_WORKER, numbers),
            )
            return {str(row[0]) for row in await cur.fetchall()}

    async def hold_person(self, channel: str, person: str) -> bool:
        """Take the person's queue, or False at once if another worker has it."""
        return bool(
            await self._value("SELECT pg_try_advisory_lock(%s, hashtext(%s))", (PERSON_QUEUE, f"{channel}:{person}"))
        )

    async def let_go_person(self, channel: str, person: str) -> None:
        await self._value("SELECT pg_advisory_unlock(%s, hashtext(%s))", (PERSON_QUEUE, f"{channel}:{person}"))

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None


class PostgresDatabase(Database):
    """Like the SQLite Database: one transaction at a time in this process (the same guarantees for the
    code above it), any number of processes on one server. Each transaction takes a pooled connection, so a
    server restart or a PgBouncer in transaction mode costs a reconnect, not the process."""

    engine = "postgresql"

    def __init__(self, url: str) -> None:
        # No file of its own; what other modules keep beside the database file goes to the temporary folder.
        super().__init__(Path(tempfile.gettempdir()) / "thidua-postgres")
        self.url = url
        self._pool: AsyncConnectionPool[psycopg.AsyncConnection[Any]] | None = None
        self._pg_lock = asyncio.Lock()
        self.locks = WorkerLocks(url)

    @classmethod
    async def open_url(cls, url: str) -> PostgresDatabase:
        db = cls(url)
        await db.connect()
        return db

    async def connect(self) -> None:
        pool: AsyncConnectionPool[psycopg.AsyncConnection[Any]] = AsyncConnectionPool(
            self.url,
            min_size=1,
            max_size=2,
            kwargs={"prepare_threshold": None},
            configure=_configure,
            open=False,
        )
        await pool.open(wait=True, timeout=30)
        self._pool = pool
        await self.migrate()

    async def close(self) -> None:
        await self.locks.close()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @property
    def conn(self) -> Connection:
        raise RuntimeError("on PostgreSQL, statements run inside db.transaction() or db.reading()")

    @property
    def pool(self) -> AsyncConnectionPool[psycopg.AsyncConnection[Any]]:
        if self._pool is None:
            raise RuntimeError("database is not connected")
        return self._pool

    @asynccontextmanager
    async def transaction(self, *, exclusive: bool = True, quick: bool = False) -> AsyncIterator[Connection]:
        # `quick` is SQLite's: on a server no statement costs a thread hop.
        async with self._pg_lock, self.pool.connection() as raw:
            conn = PgConnection(raw, self.url)
            # One round trip for both: the server runs a parameterless multi-statement string as it comes.
            await raw.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITER_LOCK})".encode() if exclusive else b"BEGIN")
            try:
                yield conn
            except BaseException:
                await raw.execute("ROLLBACK")
                raise
            else:
                await raw.execute("COMMIT")

    @asynccontextmanager
    async def one_statement(self, *, quick: bool = False, exclusive: bool = True) -> AsyncIterator[Connection]:
        if not exclusive:
            # No wait for the writer lock, which a statement that locks only its own rows does not need.
            async with self._autocommit() as conn:
                yield conn
            return
        # A transaction as before: on a server the BEGIN and COMMIT cost no thread hop, and the writer lock is
        # what orders this statement with the other workers' transactions.
        async with self.transaction() as conn:
            yield conn

    @asynccontextmanager
    async def reading(self, *, quick: bool = False) -> AsyncIterator[Connection]:
        async with self._pg_lock, self.pool.connection() as raw:
            # One snapshot for the whole read, as SQLite's read transaction gives; not READ ONLY, since on
            # SQLite nothing stops a statement in a read from writing and callers may rely on that.
            await raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            try:
                yield PgConnection(raw, self.url)
            finally:
                await raw.execute("COMMIT")

    @asynccontextmanager
    async def one_read(self, *, quick: bool = False) -> AsyncIterator[Connection]:
        # The one statement is its own snapshot.
        async with self._autocommit() as conn:
            yield conn

    @asynccontextmanager
    async def _autocommit(self) -> AsyncIterator[Connection]:
        """A pool connection outside any transaction, for one statement: it commits as it runs, one trip to the
        server instead of three (BEGIN, the statement, COMMIT)."""
        async with self._pg_lock, self.pool.connection() as raw:
            yield PgConnection(raw, self.url)

    async def migrate(self) -> list[str]:
        applied: list[str] = []
        async with self.pool.connection() as raw:
            await raw.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
            )
            # As on SQLite: an up-to-date database costs no transaction per migration; a missing one is looked
            # for again under the lock.
            cur = await raw.execute("SELECT version FROM schema_migrations")
            present = {row[0] for row in await cur.fetchall()}
            for path in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
                version = int(path.name[:4])
                if version in present:
                    continue
                async with raw.transaction():
                    # Two workers starting together: one applies, the other waits and then finds it applied.
                    await raw.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
                    cur = await raw.execute("SELECT 1 FROM schema_migrations WHERE version = %s", (version,))
                    if await cur.fetchone():
                        continue
                    await raw.execute(path.read_text(encoding="utf-8").encode())
                    await raw.execute(
                        # The server's own clock, as SQLite's migrations use the database's 'now'.
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s,"
                        " to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))",
                        (version, path.stem),
                    )
                    applied.append(path.stem)
        return applied
