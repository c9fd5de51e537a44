"""The repositories of one transaction, as one object: what handlers, the web desk and the command line hold
instead of a connection.

The engine makes one from the transaction it opened for an update (`ctx.repos`), so a conversation can read
and write only through repositories, on whichever engine the deployment runs, and never past the commit:
slow work (files, charts) goes to `ctx.after_commit`, which gets no repositories. Each repository is made
on first use, so an update pays only for the ones it touches.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, Generic, TypeVar, overload

from bot.storage.announcements import AnnouncementRepo
from bot.storage.audit import AuditRepo
from bot.storage.commendations import CommendationRepo
from bot.storage.database import Connection, Database
from bot.storage.desk import DeskRepo
from bot.storage.digests import DigestRepo
from bot.storage.exports import ExportSource, database_file
from bot.storage.files import FileRepo, FileStore
from bot.storage.inbox import InboxRepo
from bot.storage.invites import InviteRepo
from bot.storage.nominations import NominationRepo
from bot.storage.outbox import OutboxRepo
from bot.storage.replies import RepliesRepo
from bot.storage.reports import ReportRepo
from bot.storage.review import ReviewRepo
from bot.storage.roles import RoleRepo
from bot.storage.sessions import SessionRepo
from bot.storage.successions import SuccessionRepo
from bot.storage.units import UnitRepo
from bot.storage.updates import ProcessedUpdates
from bot.storage.users import UserRepo
from bot.storage.web_auth import WebAuthRepo
from bot.storage.web_desk import WebDeskRepo

R = TypeVar("R")


class _made_once(Generic[R]):
    """`functools.cached_property` without its lock, which Python 3.11 takes on every first use: each update
    makes a Repos and uses a few of them once. A Repos belongs to one transaction, used by one task."""

    def __init__(self, make: Callable[[Any], R]) -> None:
        self._make = make
        self._name = make.__name__

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _made_once[R]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> R: ...

    def __get__(self, instance: object | None, owner: type | None = None) -> R | _made_once[R]:
        if instance is None:
            return self
        # Kept on the instance, where the next look-up finds it before this descriptor (which has no __set__).
        made = instance.__dict__[self._name] = self._make(instance)
        return made


class Repos:
    """A unit of work: every repository on the same connection, inside the caller's transaction. `store`
    is where evidence files live, needed only by `files`."""

    def __init__(self, conn: Connection, store: FileStore | None = None) -> None:
        self._conn = conn
        self._store = store

    @_made_once
    def announcements(self) -> AnnouncementRepo:
        return AnnouncementRepo(self._conn)

    @_made_once
    def audit(self) -> AuditRepo:
        return AuditRepo(self._conn)

    @_made_once
    def commendations(self) -> CommendationRepo:
        return CommendationRepo(self._conn)

    @_made_once
    def desk(self) -> DeskRepo:
        return DeskRepo(self._conn)

    @_made_once
    def digests(self) -> DigestRepo:
        return DigestRepo(self._conn)

    @_made_once
    def files(self) -> FileRepo:
        if self._store is None:
            raise RuntimeError("these repositories were made without the file store")
        return FileRepo(self._conn, self._store)

    @_made_once
    def inbox(self) -> InboxRepo:
        return InboxRepo(self._conn)

    @_made_once
    def invites(self) -> InviteRepo:
        return InviteRepo(self._conn)

    @_made_once
    def nominations(self) -> NominationRepo:
        return NominationRepo(self._conn)

    @_made_once
    def outbox(self) -> OutboxRepo:
        return OutboxRepo(self._conn)

    @_made_once
    def replies(self) -> RepliesRepo:
        return RepliesRepo(self._conn)

    @_made_once
    def reports(self) -> ReportRepo:
        return ReportRepo(self._conn)

    @_made_once
    def review(self) -> ReviewRepo:
        return ReviewRepo(self._conn)

    @_made_once
    def roles(self) -> RoleRepo:
        return RoleRepo(self._conn)

    @_made_once
    def sessions(self) -> SessionRepo:
        return SessionRepo(self._conn)

    @_made_once
    def successions(self) -> SuccessionRepo:
        return SuccessionRepo(self._conn)

    @_made_once
    def units(self) -> UnitRepo:
        return UnitRepo(self._conn)

    @_made_once
    def updates(self) -> ProcessedUpdates:
        return ProcessedUpdates(self._conn)

    @_made_once
    def users(self) -> UserRepo:
        return UserRepo(self._conn)

    @_made_once
    def web_auth(self) -> WebAuthRepo:
        return WebAuthRepo(self._conn)

    @_made_once
    def web_desk(self) -> WebDeskRepo:
        return WebDeskRepo(self._conn)

    def roles_changed(self, user_id: int) -> bool:
        """Whether this transaction granted or took away a role of the person; no repository is made to say no."""
        roles: RoleRepo | None = self.__dict__.get("roles")
        return roles is not None and user_id in roles.changed

    async def database_file(self) -> ExportSource | None:
        """Where the exports that read a snapshot of their own after the commit read from: the SQLite file
        (None in memory), or the PostgreSQL database's URL."""
        return await database_file(self._conn)


@asynccontextmanager
async def writing(db: Database, store: FileStore | None = None, *, exclusive: bool = True) -> AsyncIterator[Repos]:
    """The repositories of a write transaction: committed when the block ends, rolled back on an exception
    (see Database.transaction for `exclusive`)."""
    async with db.transaction(exclusive=exclusive) as conn:
        yield Repos(conn, store)


@asynccontextmanager
async def reading(db: Database, store: FileStore | None = None) -> AsyncIterator[Repos]:
    """The repositories of a consistent read of committed data."""
    async with db.reading() as conn:
        yield Repos(conn, store)
