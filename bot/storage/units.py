from __future__ import annotations

import datetime as dt

import aiosqlite

from bot.domain.campaign import Campaign
from bot.domain.units import Unit, UnitFields, UnitStatus
from bot.storage.database import fetch_all, fetch_one
from bot.storage.timefmt import to_db


def _unit(row: aiosqlite.Row) -> Unit:
    return Unit(
        version_id=row["id"],
        code=row["code"],
        name=row["name"],
        kind=row["kind"],
        parent=row["parent_code"],
        group=row["group_code"],
        status=UnitStatus(row["status"]),
        merged_into=row["merged_into"],
    )


class UnitRepo:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self.conn = conn

    async def all(self) -> list[Unit]:
        """The latest version of every unit, retired and merged ones included."""
        return [_unit(r) for r in await fetch_all(self.conn, "SELECT * FROM current_units ORDER BY code")]

    async def active(self) -> list[Unit]:
        rows = await fetch_all(self.conn, "SELECT * FROM current_units WHERE status = 'active' ORDER BY code")
        return [_unit(r) for r in rows]

    async def get(self, code: str) -> Unit | None:
        row = await fetch_one(self.conn, "SELECT * FROM unit_versions WHERE code = ? ORDER BY id DESC LIMIT 1", (code,))
        return _unit(row) if row else None

    async def version(self, version_id: int) -> Unit | None:
        row = await fetch_one(self.conn, "SELECT * FROM unit_versions WHERE id = ?", (version_id,))
        return _unit(row) if row else None

    async def history(self, code: str) -> list[Unit]:
        rows = await fetch_all(self.conn, "SELECT * FROM unit_versions WHERE code = ? ORDER BY id", (code,))
        return [_unit(r) for r in rows]

    async def record(self, fields: UnitFields, source: str, now: dt.datetime) -> Unit:
        """A new version of the unit (or its first)."""
        await self.conn.execute(
            "INSERT INTO unit_versions (code, name, kind, parent_code, group_code, status, merged_into, source,"
            " recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                fields.code,
                fields.name,
                fields.kind,
                fields.parent,
                fields.group,
                fields.status.value,
                fields.merged_into,
                source,
                to_db(now),
            ),
        )
        unit = await self.get(fields.code)
        assert unit is not None
        return unit

    async def seed_from_campaign(self, campaign: Campaign, now: dt.datetime) -> int:
        """Add the campaign file's units that the database does not know yet. Units it knows are left as
        they are: later changes come from CSV imports, which a restart must not undo."""
        known = {r[0] for r in await fetch_all(self.conn, "SELECT DISTINCT code FROM unit_versions")}
        added = 0
        for unit in campaign.units:
            if unit.code in known:
                continue
            fields = UnitFields(code=unit.code, name=unit.name, kind=unit.kind, parent=unit.parent, group=unit.group)
            await self.record(fields, "campaign", now)
            added += 1
        return added
