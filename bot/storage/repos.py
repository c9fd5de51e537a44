"""The repositories of one transaction, as one object: what handlers, the web desk and the command line hold
instead of a connection.

The engine makes one from the transaction it opened for an update (`ctx.repos`), so a conversation can read
and write only through repositories, on whichever engine the deployment runs, and never past the commit:
slow work (files, charts) goes to `ctx.after_commit`, which gets no repositories. Each repository is made
on first use, so an update pays only for the ones it touches.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cached_property

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


class Repos:
    """A unit of work: every repository on the same connection, inside the caller's transaction. `store`
    is where evidence files live, needed only by `files`."""

    def __init__(self, conn: Connection, store: FileStore | None = None) -> None:
        self._conn = conn
        self._store = store

    @cached_property
    def announcements(self) -> AnnouncementRepo:
        return AnnouncementRepo(self._conn)

    @cached_property
    def audit(self) -> AuditRepo:
        return AuditRepo(self._conn)

    @cached_property
    def commendations(self) -> CommendationRepo:
        return CommendationRepo(self._conn)

    @cached_property
    def desk(self) -> DeskRepo:
        return DeskRepo(self._conn)

    @cached_property
    def digests(self) -> DigestRepo:
        return DigestRepo(self._conn)

    @cached_property
    def files(self) -> FileRepo:
        if self._store is None:
            raise RuntimeError("these repositories were made without the file store")
        return FileRepo(self._conn, self._store)

    @cached_property
    def inbox(self) -> InboxRepo:
        return InboxRepo(self._conn)

    @cached_property
    def invites(self) -> InviteRepo:
        return InviteRepo(self._conn)

    @cached_property
    def nominations(self) -> NominationRepo:
        return NominationRepo(self._conn)

    @cached_property
    def outbox(self) -> OutboxRepo:
        return OutboxRepo(self._conn)

    @cached_property
    def replies(self) -> RepliesRepo:
        return RepliesRepo(self._conn)

    @cached_property
    def reports(self) -> ReportRepo:
        return ReportRepo(self._conn)

    @cached_property
    def review(self) -> ReviewRepo:
        return ReviewRepo(self._conn)

    @cached_property
    def roles(self) -> RoleRepo:
        return RoleRepo(self._conn)

    @cached_property
    def sessions(self) -> SessionRepo:
        return SessionRepo(self._conn)

    @cached_property
    def successions(self) -> SuccessionRepo:
        return SuccessionRepo(self._conn)

    @cached_property
    def units(self) -> UnitRepo:
        return UnitRepo(self._conn)

    @cached_property
    def updates(self) -> ProcessedUpdates:
        return ProcessedUpdates(self._conn)

    @cached_property
    def users(self) -> UserRepo:
        return UserRepo(self._conn)

    @cached_property
    def web_auth(self) -> WebAuthRepo:
        return WebAuthRepo(self._conn)

    @cached_property
    def web_desk(self) -> WebDeskRepo:
        return WebDeskRepo(self._conn)

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
