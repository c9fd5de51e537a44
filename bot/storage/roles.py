from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from pydantic import BaseModel

from bot.domain.audit import AuditAction
from bot.domain.roles import Grant, Role
from bot.domain.users import User
from bot.storage.audit import audit
from bot.storage.database import Connection, Row, fetch_all
from bot.storage.timefmt import from_db, to_db
from bot.storage.users import user_from_row


class Holder(NamedTuple):
    role: str
    unit_code: str | None
    group_code: str | None
    user_id: int
    channel: str
    chat_id: str
    lang: str


_ACTIVE = "revoked_at IS NULL"


class HeldRole(BaseModel):
    """A role someone holds now, with who holds it and since when (for listings)."""

    grant: Grant
    user: User
    granted_at: dt.datetime


class RoleRepo:
    """People's roles. Every grant and revocation writes its audit line in the same transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        # Whose roles this transaction changed: the engine tells the channel, whose menus follow roles.
        self.changed: set[int] = set()

    async def grants_of(self, user_id: int) -> list[Grant]:
        rows = await fetch_all(
            self.conn,
            f"SELECT role, unit_code, group_code FROM role_grants WHERE user_id = ? AND {_ACTIVE} ORDER BY id",
            (user_id,),
        )
        return [Grant(role=Role(r[0]), unit_code=r[1], group_code=r[2]) for r in rows]

    async def grant(
        self,
        user_id: int,
        grant: Grant,
        now: dt.datetime,
        *,
        channel: str,
        granted_by: int | None = None,
        via_invite: int | None = None,
    ) -> bool:
        """Give the role; False if the person already holds exactly this one. `channel` is where the
        change was made from ("telegram" for a registration there, "cli" for an operator)."""
        if grant in await self.grants_of(user_id):
            return False
        await self.conn.execute(
            "INSERT INTO role_grants (user_id, role, unit_code, group_code, granted_at, granted_by, via_invite)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                user_id,
                grant.role.value,
                grant.unit_code,
                grant.group_code,
                to_db(now),
                granted_by,
                via_invite,
            ),
        )
        await audit(
            self.conn,
            now,
            AuditAction.ROLE_GRANTED,
            actor=granted_by if granted_by is not None else (user_id if via_invite is not None else None),
            channel=channel,
            subject=f"user:{user_id}",
            role=grant.role.value,
            unit=grant.unit_code,
            group=grant.group_code,
            invite=via_invite,
        )
        self.changed.add(user_id)
        return True

    async def revoke(
        self, user_id: int, grant: Grant, now: dt.datetime, *, channel: str, revoked_by: int | None = None
    ) -> bool:
        cur = await self.conn.execute(
            f"UPDATE role_grants SET revoked_at = ?, revoked_by = ? WHERE user_id = ? AND role = ?"
            f" AND unit_code IS ? AND group_code IS ? AND {_ACTIVE}",
            (to_db(now), revoked_by, user_id, grant.role.value, grant.unit_code, grant.group_code),
        )
        if cur.rowcount == 0:
            return False
        await audit(
            self.conn,
            now,
            AuditAction.ROLE_REVOKED,
            actor=revoked_by,
            channel=channel,
            subject=f"user:{user_id}",
            role=grant.role.value,
            unit=grant.unit_code,
            group=grant.group_code,
        )
        self.changed.add(user_id)
        return True

    async def _users(self, where: str, params: tuple[object, ...]) -> list[User]:
        rows = await fetch_all(
            self.conn,
            f"SELECT DISTINCT u.* FROM users u JOIN role_grants g ON g.user_id = u.id"
            f" WHERE g.revoked_at IS NULL AND {where} ORDER BY u.id",
            params,
        )
        return [user_from_row(r) for r in rows]

    async def representatives_of(self, unit_code: str) -> list[User]:
        return await self._users("g.role = 'unit_rep' AND g.unit_code = ?", (unit_code,))

    async def council_members_for(self, unit_code: str) -> list[User]:
        """Council members in charge of the unit itself or of its current cluster/block."""
        return await self._users(
            "g.role = 'council' AND (g.unit_code = ? OR g.group_code = ("
            " SELECT group_code FROM unit_versions WHERE code = ? ORDER BY id DESC LIMIT 1))",
            (unit_code, unit_code),
        )

    async def secretariat_users(self) -> list[User]:
        return await self._users("g.role = 'secretariat'", ())

    async def holders(self, role: Role) -> list[User]:
        return await self._users("g.role = ?", (role.value,))

    async def all_active(self) -> list[tuple[Grant, User]]:
        """Every role held now, with its holder: one query, for planning across all units."""
        return [(held.grant, held.user) for held in await self.held()]

    async def reachable_holders(self) -> list[Holder]:
        """Every role held now and where its holder is reached, as plain rows: planning reminders reads
        them for every unit of the province, at start-up and whenever the units change."""
        return [Holder(*row) for row in await self.reachable_grants()]

    async def reachable_grants(self) -> list[Row]:
        """Every role held now as (role, unit code, group code, user id, channel, chat id, language) rows, in
        the order granted: planning reminders reads them for every unit of the province, so it gets the rows
        as they come rather than an object each."""
        return await fetch_all(
            self.conn,
            "SELECT g.role, g.unit_code, g.group_code, u.id, u.channel, u.chat_id, u.lang"
            " FROM role_grants g JOIN users u ON u.id = g.user_id WHERE g.revoked_at IS NULL ORDER BY g.id",
        )

    async def held(self) -> list[HeldRole]:
        rows = await fetch_all(
            self.conn,
            "SELECT g.role AS g_role, g.unit_code AS g_unit, g.group_code AS g_group, g.granted_at AS g_at, u.*"
            " FROM role_grants g JOIN users u ON u.id = g.user_id WHERE g.revoked_at IS NULL ORDER BY g.id",
        )
        return [
            HeldRole(
                grant=Grant(role=Role(r["g_role"]), unit_code=r["g_unit"], group_code=r["g_group"]),
                user=user_from_row(r),
                granted_at=from_db(r["g_at"]),
            )
            for r in rows
        ]
