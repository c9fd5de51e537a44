"""The succession table and what follows from it: merged units pointing at their successor, the
representatives of a merged unit also representing its successor, and splits waiting for a decision."""

from __future__ import annotations

import datetime as dt
import re

from bot.domain.audit import AuditAction
from bot.domain.roles import Grant, Role
from bot.domain.successions import Share, Split, Succession, unit_changes
from bot.domain.text import fold
from bot.storage.audit import audit
from bot.storage.database import Connection, Row, fetch_all
from bot.storage.roles import RoleRepo
from bot.storage.timefmt import to_db
from bot.storage.units import UnitRepo


def _row(r: Row) -> Succession:
    return Succession(
        old_code=r["old_code"],
        old_name=r["old_name"],
        old_district=r["old_district"],
        new_code=r["new_code"],
        share=Share(r["share"]),
        effective=dt.date.fromisoformat(r["effective"]),
        legal_basis=r["legal_basis"],
    )


class SuccessionRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def record(self, rows: list[Succession], source: str, now: dt.datetime) -> int:
        """Store the rows not yet known (a row already there is a fact of law and stays); how many were new."""
        added = 0
        for s in rows:
            cur = await self.conn.execute(
                "INSERT INTO unit_successions (old_code, old_name, old_name_folded, old_district,"
                " new_code, share, effective, legal_basis, source, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT DO NOTHING",
                (
                    s.old_code,
                    s.old_name,
                    fold(f"{s.old_name} {s.old_district or ''}"),
                    s.old_district,
                    s.new_code,
                    s.share.value,
                    s.effective.isoformat(),
                    s.legal_basis,
                    source,
                    to_db(now),
                ),
            )
            added += cur.rowcount
        return added

    async def all(self) -> list[Succession]:
        rows = await fetch_all(self.conn, "SELECT * FROM unit_successions ORDER BY old_code, new_code")
        return [_row(r) for r in rows]

    async def by_old_name(self, query: str) -> list[Succession]:
        """Rows whose former unit's name holds every word typed ("xa my long", "Mỹ Long"), an exact name
        winning over partial ones."""
        words = re.findall(r"\w+", fold(query))
        if not words:
            return []
        where = " AND ".join("instr(old_name_folded, ?) > 0" for _ in words)
        rows = [_row(r) for r in await fetch_all(self.conn, f"SELECT * FROM unit_successions WHERE {where}", words)]
        exact = [s for s in rows if fold(s.old_name) == " ".join(words)]
        return exact or rows

    async def assignments(self) -> dict[str, str]:
        rows = await fetch_all(self.conn, "SELECT old_code, new_code FROM split_assignments")
        return {r[0]: r[1] for r in rows}

    async def assign(self, old_code: str, new_code: str, decided_by: int | None, now: dt.datetime) -> None:
        await self.conn.execute(
            "INSERT INTO split_assignments (old_code, new_code, decided_by, decided_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (old_code) DO UPDATE SET new_code = excluded.new_code,"
            " decided_by = excluded.decided_by, decided_at = excluded.decided_at",
            (old_code, new_code, decided_by, to_db(now)),
        )
        await audit(
            self.conn,
            now,
            AuditAction.UNIT_SPLIT_ASSIGNED,
            actor=decided_by,
            channel="chat" if decided_by is not None else "cli",
            subject=old_code,
            assigned_to=new_code,
        )

    async def pending(self, today: dt.date) -> list[Split]:
        """The split units the secretariat has still to decide on."""
        _, pending = unit_changes(await self.all(), await UnitRepo(self.conn).all(), await self.assignments(), today)
        return pending

    async def apply(self, today: dt.date, now: dt.datetime, source: str) -> tuple[list[str], list[Split]]:
        """Record the mergers now in force (a new version of each merged unit, its representatives given
        the successor too); return the merged codes and the splits still waiting for the secretariat."""
        units = UnitRepo(self.conn)
        changes, pending = unit_changes(await self.all(), await units.all(), await self.assignments(), today)
        for fields in changes:
            await units.record(fields, source, now)
            assert fields.merged_into is not None
            await self._representatives_follow(fields.code, fields.merged_into, now)
        return [f.code for f in changes], pending

    async def _representatives_follow(self, old_code: str, new_code: str, now: dt.datetime) -> None:
        rows = await fetch_all(
            self.conn,
            "SELECT DISTINCT user_id FROM role_grants WHERE role = ? AND unit_code = ? AND revoked_at IS NULL",
            (Role.UNIT_REP.value, old_code),
        )
        roles = RoleRepo(self.conn)
        for (user_id,) in rows:
            await roles.grant(user_id, Grant(role=Role.UNIT_REP, unit_code=new_code), now, channel="succession")
