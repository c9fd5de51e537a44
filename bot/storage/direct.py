"""SQLite statements run on the event loop's own thread, for short work under the database's lock.

aiosqlite runs every statement on a thread of its own, and each one costs a hop there and a wake-up of the
loop on the way back: about 100 µs, several times what a short statement costs SQLite. While the lock of
`Database` is held that thread has nothing to do, so the same sqlite3 connection can be used from the loop
directly. Only for short work (an update's transaction, keeping an update, confirming replies sent): a long
read here would hold up every other task of the process.

Another process (the terminal chat, a command) may hold the write lock for a while. While here the busy
timeout is 0, so a statement that would wait for it fails at once with SQLITE_BUSY instead of freezing the
loop; it is then run again on a worker thread with the usual timeout, and the work goes on here after it.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")

BUSY_TIMEOUT_MS = 10_000
_SQLITE_BUSY = 5


def _busy(exc: sqlite3.Error) -> bool:
    # The extended codes (BUSY_RECOVERY, BUSY_SNAPSHOT, BUSY_TIMEOUT) share the primary code's low byte.
    code = getattr(exc, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF == _SQLITE_BUSY


class DirectCursor:
    """An sqlite3 cursor behind the `Cursor` protocol: its coroutines finish without suspending."""

    __slots__ = ("_cursor",)

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()


class DirectConnection:
    """The `Connection` protocol over an sqlite3 connection used on the loop's thread, by a block that holds
    the lock of `Database`, with the busy timeout at 0."""

    __slots__ = ("raw",)

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    async def execute(self, sql: str, parameters: Iterable[Any] | None = None, /) -> DirectCursor:
        params = _params(parameters)
        return DirectCursor(await self._run(lambda raw: raw.execute(sql, params)))

    async def executemany(self, sql: str, parameters: Iterable[Iterable[Any]], /) -> DirectCursor:
        rows = [tuple(row) for row in parameters]
        return DirectCursor(await self._run(lambda raw: raw.executemany(sql, rows)))

    async def execute_fetchall(self, sql: str, parameters: Iterable[Any] | None = None, /) -> list[Any]:
        params = _params(parameters)
        return await self._run(lambda raw: raw.execute(sql, params).fetchall())

    async def _run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """`work` here and now, or, when it met another process's lock, patiently on a worker thread."""
        try:
            return work(self.raw)
        except sqlite3.OperationalError as exc:
            if not _busy(exc):
                raise
        return await self._patiently(work)

    async def _patiently(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run a statement that met another process's lock on a worker thread, waiting for that lock as long as
        the busy timeout allows. A statement that failed with SQLITE_BUSY did nothing, so it can run again
        (SQLite says so of a statement outside a transaction, of a COMMIT, and of a read; a write inside
        BEGIN IMMEDIATE holds the lock already and never meets it)."""
        raw = self.raw

        def run() -> T:
            raw.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            try:
                return work(raw)
            finally:
                raw.execute("PRAGMA busy_timeout = 0")

        return await wait_out(asyncio.get_running_loop().run_in_executor(None, run))


async def wait_out(future: asyncio.Future[T]) -> T:
    """The future's result, waiting for it to the end even when cancelled meanwhile: the thread goes on with
    the statement regardless, and nothing else may use the connection until it is done. The cancellation is
    raised once it is."""
    cancelled = False
    while not future.done():
        try:
            await asyncio.shield(future)
        except asyncio.CancelledError:
            cancelled = True
        except BaseException:
            pass  # the statement's own failure, raised below
    if cancelled:
        if not future.cancelled():
            future.exception()  # looked at: the caller hears of the cancellation instead
        raise asyncio.CancelledError
    return future.result()


def _params(parameters: Iterable[Any] | None) -> Sequence[Any]:
    if parameters is None:
        return ()
    return parameters if isinstance(parameters, (tuple, list)) else tuple(parameters)
