from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from bot.domain.invites import hash_code, hint_of, new_code
from bot.domain.policy import Grant, Role
from bot.storage.database import Connection, Row, fetch_all, fetch_one, insert_id
from bot.storage.timefmt import from_db, to_db


class Invite(BaseModel):
    id: int
    hint: str
    grant: Grant
    uses_left: int
    expires_at: dt.datetime
    revoked: bool


def _invite(row: Row) -> Invite:
    return Invite(
        id=row["id"],
        hint=row["hint"],
        grant=Grant(role=Role(row["role"]), unit_code=row["unit_code"], group_code=row["group_code"]),
        uses_left=row["uses_left"],
        expires_at=from_db(row["expires_at"]),
        revoked=row["revoked_at"] is not None,
    )


class InviteRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def create(
        self, grant: Grant, uses: int, expires_at: dt.datetime, created_by: int | None, now: dt.datetime
    ) -> tuple[str, Invite]:
        """A new code and its record. The code is returned only here; the database keeps its hash."""
        code = new_code()
        invite_id = await insert_id(
            self.conn,
            "INSERT INTO invites (code_hash, hint, role, unit_code, group_code, uses_left, expires_at, created_at,"
            " created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                hash_code(code),
                hint_of(code),
                grant.role.value,
                grant.unit_code,
                grant.group_code,
                uses,
                to_db(expires_at),
                to_db(now),
                created_by,
            ),
        )
        invite = await self.get(invite_id)
        assert invite is not None
        return code, invite

    async def get(self, invite_id: int) -> Invite | None:
        row = await fetch_one(self.conn, "SELECT * FROM invites WHERE id = ?", (invite_id,))
        return _invite(row) if row else None

    async def usable(self, typed: str, now: dt.datetime) -> Invite | None:
        row = await fetch_one(
            self.conn,
            "SELECT * FROM invites WHERE code_hash = ? AND revoked_at IS NULL AND uses_left > 0 AND expires_at > ?",
            (hash_code(typed), to_db(now)),
        )
        return _invite(row) if row else None

    async def use(self, invite_id: int) -> None:
        await self.conn.execute("UPDATE invites SET uses_left = uses_left - 1 WHERE id = ?", (invite_id,))

    async def revoke(self, invite_id: int, now: dt.datetime) -> bool:
        cur = await self.conn.execute(
            "UPDATE invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (to_db(now), invite_id)
        )
        return cur.rowcount == 1

    async def listed(self) -> list[Invite]:
        return [_invite(r) for r in await fetch_all(self.conn, "SELECT * FROM invites ORDER BY id")]

    async def record_attempt(self, user_id: int, ok: bool, now: dt.datetime) -> None:
        await self.conn.execute(
            "INSERT INTO invite_attempts (user_id, at, ok) VALUES (?, ?, ?)", (user_id, to_db(now), int(ok))
        )

    async def recent_failures(self, user_id: int, since: dt.datetime) -> list[dt.datetime]:
        rows = await fetch_all(
            self.conn,
            "SELECT at FROM invite_attempts WHERE user_id = ? AND ok = 0 AND at > ? ORDER BY at",
            (user_id, to_db(since)),
        )
        return [from_db(r[0]) for r in rows]
