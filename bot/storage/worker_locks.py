"""The locks workers on several machines share through the database server (PostgreSQL): one per live
worker, and one per person whose updates a worker is handling. A SQLite file has none: its processes run
on one machine, where lock files tell which are alive (bot/outbox/liveness.py), and one process handles
every update.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol


class SharedLocks(Protocol):
    """The server's locks, seen by workers on every machine (PostgreSQL)."""

    async def own_token(self) -> str: ...
    async def alive(self, tokens: Collection[str]) -> set[str]: ...
    async def hold_person(self, channel: str, person: str) -> bool: ...
    async def let_go_person(self, channel: str, person: str) -> None: ...


def shared_locks(db: object) -> SharedLocks | None:
    """The database server's locks where workers may run on several machines; None for a SQLite file."""
    locks: SharedLocks | None = getattr(db, "locks", None)
    return locks
