"""Which processes are alive, told by a lock each holds for as long as it lives.

On SQLite every process runs on one machine, and the lock is a file's: the kernel releases a process's lock
when it dies, SIGKILL included, so a lock that can be taken belongs to a dead process. A process id would
not do: in a container the bot is process 1 every time it starts. On PostgreSQL workers may run on several
machines, so the lock is the server's (a session advisory lock, `WorkerLocks` in bot/storage/postgres.py),
which the server releases when the worker's connection ends (bot/storage/worker_locks.py).
"""

from __future__ import annotations

import contextlib
import fcntl
import uuid
from pathlib import Path
from typing import IO


class ProcessMark:
    """This process's mark in `folder`: a token, and a file locked under that name until the process ends."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.token = uuid.uuid4().hex
        folder.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = (folder / f"{self.token}.lock").open("w")
        fcntl.flock(self._file, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            (self.folder / f"{self.token}.lock").unlink()
        self._file.close()


def is_alive(folder: Path, token: str) -> bool:
    """Whether the process that took `token` still runs (its lock is held). Cleans up after a dead one."""
    path = folder / f"{token}.lock"
    try:
        handle = path.open("r")
    except OSError:
        return False  # it ended and cleaned up after itself
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    with contextlib.suppress(OSError):
        path.unlink()
    return False


def sweep(folder: Path) -> None:
    """Remove the files of processes that are gone."""
    for path in folder.glob("*.lock"):
        is_alive(folder, path.stem)
