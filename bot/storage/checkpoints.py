"""SQLite's checkpoints, off the path of an update.

In WAL mode every commit appends its pages to the write-ahead log, and by default the connection that commits
copies the log back into the database file once it holds 1,000 pages: a checkpoint, which syncs both files to
the disk. That cost fell on whichever commit crossed the line, and since an update's statements run on the
event loop's thread (bot/storage/direct.py), the whole process stood still meanwhile: in the Telegram bench
70 of 10,500 statements took over 2 ms, 20 ms on average and once half a second, and together they took
three quarters of all the time spent in SQLite.

So the bot's connection never checkpoints (wal_autocheckpoint = 0). A `Checkpointer` does it from a connection
and a thread of its own, shortly after writes, while commits go on. A checkpoint beside writers (PASSIVE)
copies what was committed when it began; the log starts over from its beginning only once everything in it
has been copied, so under writes that never pause it could grow without end. Once it holds more than
`restart_pages`, the remainder (little: the passive one copied the rest) is copied in FULL mode, which holds
writers back for that moment; ours meet a busy database and wait on a worker thread, never on the loop. FULL
also waits for readers of an older state (an export): it gives up after FULL_WAIT_MS rather than keep the
writers waiting, and is tried again after the next writes.

Durability is SQLite's in WAL mode, unchanged: a commit is in the log when it returns, whoever copies it later.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from pathlib import Path

from bot.storage.direct import wait_out

log = logging.getLogger(__name__)

# Writes gather this long before a checkpoint copies them all at once.
PAUSE = 0.5
# About 16 MB of log at 4 KiB pages: past this, the log is copied to its end so it can start over.
RESTART_PAGES = 4000
# How long copying the log to its end waits for a writer to finish, or for a reader of an older state (an
# export) to end. Writers wait meanwhile, so not for long: if it cannot finish by then, it is tried again
# after the next writes, and the log starts over a little later.
FULL_WAIT_MS = 100


class Checkpointer:
    """Copies the write-ahead log into the database file shortly after writes, from its own connection."""

    def __init__(self, path: Path, *, pause: float = PAUSE, restart_pages: int = RESTART_PAGES) -> None:
        self.path = path
        self.pause = pause
        self.restart_pages = restart_pages
        self._conn: sqlite3.Connection | None = None
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # Checkpoints begun and finished, one after another: `next_checkpoint` waits on them rather than on time.
        self._begun = 0
        self._done = 0
        self._finished = asyncio.Condition()

    def written(self) -> None:
        """A write was committed: a checkpoint follows soon. Cheap enough for every commit."""
        self._wake.set()
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="sqlite-checkpoints")

    async def _run(self) -> None:
        while True:
            await self._wake.wait()
            await asyncio.sleep(self.pause)
            self._wake.clear()
            self._begun += 1
            try:
                await wait_out(asyncio.get_running_loop().run_in_executor(None, self._checkpoint))
            except sqlite3.Error as exc:
                # A checkpoint that could not run now runs after the next write; nothing is lost meanwhile.
                log.warning("database: checkpoint failed (%s); trying again after the next write", exc)
            async with self._finished:
                self._done += 1
                self._finished.notify_all()

    def _checkpoint(self) -> None:
        """On a worker thread: copy what is in the log; once the log has grown long, copy it to its end."""
        conn = self._connection()
        if self._copy(conn, "PASSIVE") >= self.restart_pages:
            # Whatever was committed while the passive one ran; the next commit then starts the log over.
            self._copy(conn, "FULL")

    def _copy(self, conn: sqlite3.Connection, mode: str) -> int:
        """One checkpoint; the pages the log held."""
        # fetchall, not fetchone: a statement left unfinished would keep this connection reading the log.
        _busy, pages, _copied = conn.execute(f"PRAGMA wal_checkpoint({mode})").fetchall()[0]
        return int(pages)

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            # Used by one thread at a time (one checkpoint runs at once), not always the same one.
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            # Only FULL waits on anything (a passive checkpoint never does).
            self._conn.execute(f"PRAGMA busy_timeout = {FULL_WAIT_MS}")
        return self._conn

    async def next_checkpoint(self) -> None:
        """Wait until a checkpoint begun after this call has finished."""
        # The one after any under way now (begun before the wake-up below, it may miss what was just written).
        number = self._begun + 1
        self.written()
        async with self._finished:
            await self._finished.wait_for(lambda: self._done >= number)

    async def close(self) -> None:
        """Stop; a checkpoint under way on its thread is waited for. SQLite copies what is left when the last
        connection to the file closes."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._conn is not None:
            self._conn.close()
            self._conn = None
