from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence

from bot.domain.audit import AuditAction
from bot.domain.campaign import Campaign, ReportingPeriod
from bot.domain.text import fold
from bot.domain.units import CAMPAIGN_SOURCE, ActiveUnits, Unit, UnitFields, UnitRef, UnitStatus, campaign_changes
from bot.storage.audit import audit
from bot.storage.database import Connection, Row, fetch_all, fetch_one, insert_id, is_sqlite
from bot.storage.keys import unit_keys
from bot.storage.timefmt import to_db
from bot.storage.unit_successors import display_names, successor_map

# Words shorter than this are not in the trigram index (see migration 0130).
TRIGRAM = 3


def _unit(row: Row) -> Unit:
    return Unit(
        version_id=row["id"],
        code=row["code"],
        name=row["name"],
        kind=row["kind"],
        parent=row["parent_code"],
        group=row["group_code"],
        status=UnitStatus(row["status"]),
        merged_into=row["merged_into"],
        source=row["source"],
    )


_INSERT_VERSION = (
    "INSERT INTO unit_versions (code, name, name_key, code_key, kind, parent_code, group_code, status,"
    " merged_into, source, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _version_row(fields: UnitFields, source: str, now: dt.datetime) -> tuple[object, ...]:
    return (
        fields.code,
        fields.name,
        *unit_keys(fields.name, fields.code),
        fields.kind,
        fields.parent,
        fields.group,
        fields.status.value,
        fields.merged_into,
        source,
        to_db(now),
    )


# The active units of the last few databases this process read, each with the fingerprint of the versions
# it was read at. Units change rarely (an import, a merger) and only by a new version, so a request asks
# for the latest version and the count of versions, which indexes answer, and reads the units again only
# when they moved, on whichever connection or process recorded the change.
_ACTIVE: OrderedDict[object, tuple[tuple[object, ...], ActiveUnits]] = OrderedDict()
_ACTIVE_KEPT = 4


def _database_key(conn: Connection) -> object:
    # On PostgreSQL each transaction has a connection object of its own: the database is its address.
    url = getattr(conn, "url", None)
    return url if isinstance(url, str) and url else conn


def forget_active_units() -> None:
    """Drop what is kept: a version was recorded here (another process's versions are seen by their
    fingerprint)."""
    _ACTIVE.clear()


def _like_escaped(word: str) -> str:
    """A word matched literally by LIKE (whose escape character is a backslash on PostgreSQL)."""
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class UnitRepo:
    """Units and their history: every change is a new version; a unit is its latest version."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def successors(self) -> dict[str, str]:
        """Each merged unit's code → the active unit that holds its history now."""
        return await successor_map(self.conn)

    async def display_names(self) -> dict[str, str]:
        """Every unit's name as views show it, a merged unit's under its successor's."""
        return await display_names(self.conn)

    async def all(self) -> list[Unit]:
        """The latest version of every unit, retired and merged ones included."""
        return [_unit(r) for r in await fetch_all(self.conn, "SELECT * FROM current_units ORDER BY code")]

    async def active(self) -> list[Unit]:
        """The units that exist now (code, name, kind, parent, group), by code."""
        rows = await fetch_all(self.conn, "SELECT * FROM current_units WHERE status = 'active' ORDER BY code")
        return [_unit(r) for r in rows]

    async def active_refs(self) -> list[UnitRef]:
        """The active units as listings need them: a province's thousands of units, quickly."""
        return list((await self.active_units()).refs)

    async def active_units(self) -> ActiveUnits:
        """The active units by code, read again only when a unit has changed since they were last read."""
        key = _database_key(self.conn)
        # The fingerprint is read first: a change committed between the two reads makes the next request
        # read the units again, never keep units older than their fingerprint. It holds the latest version
        # itself, not only its id: SQLite gives a rolled-back version's id to the next one.
        seen = tuple(
            tuple(row)
            for row in await fetch_all(
                self.conn,
                "SELECT v.id, v.code, v.name, v.kind, v.group_code, v.status, v.recorded_at,"
                " (SELECT COUNT(*) FROM unit_versions) FROM unit_versions v ORDER BY v.id DESC LIMIT 1",
            )
        )
        kept = _ACTIVE.get(key)
        if kept is not None and kept[0] == seen:
            _ACTIVE.move_to_end(key)
            return kept[1]
        rows = await fetch_all(
            self.conn, "SELECT code, name, kind, group_code FROM current_units WHERE status = 'active' ORDER BY code"
        )
        # Straight from each row, not through the named tuple's own constructor (a Python function): a
        # province's tens of thousands of units read at start-up cost a third less.
        units = ActiveUnits([tuple.__new__(UnitRef, row) for row in rows])
        _ACTIVE[key] = (seen, units)
        _ACTIVE.move_to_end(key)
        while len(_ACTIVE) > _ACTIVE_KEPT:
            _ACTIVE.popitem(last=False)
        return units

    async def search(self, query: str) -> list[UnitRef]:
        """Active units whose name or code holds every word of the query, diacritics and case ignored; an
        exact name or code wins over partial matches ("Huyện Cao Lãnh" is not also "Thành phố Cao Lãnh").
        Both ask indexes of the folded keys stored with each version, never every unit."""
        folded = fold(query)
        words = folded.split()
        if not words:
            return []
        columns = "SELECT v.code, v.name, v.kind, v.group_code FROM unit_versions v"
        current = (
            "v.status = 'active' AND v.id = (SELECT MAX(w.id) FROM unit_versions w WHERE w.code = v.code)"
            " ORDER BY v.code"
        )
        exact = await fetch_all(
            self.conn, f"{columns} WHERE (v.name_key = ? OR v.code_key = ?) AND {current}", (folded, folded)
        )
        if exact:
            return [UnitRef(*row) for row in exact]
        # The trigram index finds the versions holding every word of three letters or more; shorter words
        # only narrow down what it found (or, when no word is that long, what a scan finds).
        indexed = [w for w in words if len(w) >= TRIGRAM]
        found, params = "", []
        if indexed and is_sqlite(self.conn):
            found = " JOIN (SELECT rowid AS id FROM unit_search WHERE unit_search MATCH ?) s ON s.id = v.id"
            params.append(" ".join('"' + w.replace('"', '""') + '"' for w in indexed))
        if is_sqlite(self.conn):
            holds = " AND ".join(["instr(v.name_key || ' ' || v.code_key, ?) > 0"] * len(words))
            params.extend(words)
        else:
            # The same test in the form PostgreSQL's trigram index of these keys answers (migration 0191).
            holds = " AND ".join(["(v.name_key || ' ' || v.code_key) LIKE ?"] * len(words))
            params.extend(f"%{_like_escaped(w)}%" for w in words)
        rows = await fetch_all(self.conn, f"{columns}{found} WHERE {holds} AND {current}", params)
        return [UnitRef(*row) for row in rows]

    async def last_version(self) -> int:
        """The id of the latest unit version recorded: it moves whenever any unit is added or changed."""
        row = await fetch_one(self.conn, "SELECT MAX(id) FROM unit_versions")
        return int(row[0] or 0) if row else 0

    async def owing(self, period: ReportingPeriod) -> list[Unit]:
        """The active units that owe the period a report."""
        return period.owing(await self.active())

    async def fingerprint(self) -> tuple[int, int]:
        """Changes whenever any unit does (every change is a new version): cheap to compare."""
        row = await fetch_one(self.conn, "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM unit_versions")
        assert row is not None
        return int(row[0]), int(row[1])

    async def get(self, code: str) -> Unit | None:
        row = await fetch_one(self.conn, "SELECT * FROM unit_versions WHERE code = ? ORDER BY id DESC LIMIT 1", (code,))
        return _unit(row) if row else None

    async def version(self, version_id: int) -> Unit | None:
        row = await fetch_one(self.conn, "SELECT * FROM unit_versions WHERE id = ?", (version_id,))
        return _unit(row) if row else None

    async def history(self, code: str) -> list[Unit]:
        rows = await fetch_all(self.conn, "SELECT * FROM unit_versions WHERE code = ? ORDER BY id", (code,))
        return [_unit(r) for r in rows]

    async def record_many(self, changes: Sequence[UnitFields], source: str, now: dt.datetime) -> None:
        """New versions of many units in one trip to the database (an import's chunk)."""
        forget_active_units()
        await self.conn.executemany(_INSERT_VERSION, [_version_row(fields, source, now) for fields in changes])

    async def record(self, fields: UnitFields, source: str, now: dt.datetime) -> Unit:
        """A new version of the unit (or its first)."""
        forget_active_units()
        version_id = await insert_id(self.conn, _INSERT_VERSION, _version_row(fields, source, now))
        unit = await self.version(version_id)
        assert unit is not None
        return unit

    async def seed_from_campaign(self, campaign: Campaign, now: dt.datetime) -> list[UnitFields]:
        """Bring the database in step with the campaign file's units at start-up (see campaign_changes:
        units a CSV import took over are left as the import made them). Returns what was recorded."""
        configured = [
            UnitFields(code=u.code, name=u.name, kind=u.kind, parent=u.parent, group=u.group) for u in campaign.units
        ]
        changes = campaign_changes(configured, await self.all())
        if changes:
            # In one trip, as an import's chunk: a first start wrote a campaign's units one by one, each read back.
            await self.record_many(changes, CAMPAIGN_SOURCE, now)
            await audit(
                self.conn,
                now,
                AuditAction.UNITS_SYNCED,
                actor=None,
                channel="config",
                subject=campaign.campaign.code,
                units=[f.code for f in changes],
            )
        return changes
