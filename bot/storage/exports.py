"""Reading the rows the secretariat's files are made of, in batches, so that an export of a province's
year never holds all of it in memory at once.

An export reads through a connection of its own, opened read-only on the database file, in one read
transaction: every sheet of a file sees the same moment, and the long read neither waits for nor holds up
the process's connection, which the conversations write through (WAL lets the two run side by side). On
PostgreSQL it is a connection of its own too, in one read-only snapshot, read through a cursor on the server.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, NamedTuple
from urllib.request import pathname2url

import aiosqlite

from bot.domain.campaign import Campaign, ReportingPeriod
from bot.domain.export_rows import BulletinEntry, ExportScope, ReportRow, UnreportedRow
from bot.domain.nomination import NominationStatus, NomineeKind
from bot.domain.review import may_publish
from bot.domain.successions import fold_units
from bot.domain.units import UnitRef
from bot.storage.database import Connection, Database, fetch_all, is_sqlite
from bot.storage.timefmt import from_db, to_db
from bot.storage.unit_successors import display_names, successor_map

# Rows a batch holds: small enough that the young objects the collector scans stay few (2,000 made the
# export's collections take 0.4-0.7 s of CPU, 1,000 about half), large enough that handing a batch from the
# database's thread to the writer's stays a small share.
BATCH = 1000

# Where an export reads from: a SQLite file, or a PostgreSQL database's URL.
ExportSource = Path | str

# The nominator's name and phone come only in an export with contacts, and never for an anonymous nomination:
# the query itself leaves them out.
_CONTACTS = "CASE WHEN n.anonymous = 0 THEN n.nominator_name END, CASE WHEN n.anonymous = 0 THEN n.nominator_phone END"
_NOMINATIONS = (
    "SELECT n.reference, n.created_at, n.status, n.nominee_kind, n.nominee_name, n.unit_code, n.category_code,"
    " n.deed, (SELECT COUNT(*) FROM nomination_files f WHERE f.nomination_id = n.id), n.on_behalf_of_unit,"
    " n.anonymous, COALESCE(r.for_publication, 0), r.consent_recorded_at, m.reference, d.reference, {contacts}"
    " FROM nominations n LEFT JOIN nomination_reviews r ON r.nomination_id = n.id"
    " LEFT JOIN nominations m ON m.id = r.merged_into LEFT JOIN nominations d ON d.id = r.duplicate_of"
    " WHERE n.created_at >= ? AND n.created_at < ? ORDER BY n.created_at, n.id"
)


def export_source(db: Database) -> ExportSource:
    """Where an export of this database reads from."""
    url = getattr(db, "url", None)
    return url if isinstance(url, str) else db.path


async def database_file(conn: Connection) -> ExportSource | None:
    """Where an export reads what this connection sees: the file its main database lives in (None for an
    in-memory one), or on PostgreSQL the database's URL."""
    if not is_sqlite(conn):
        url = getattr(conn, "url", None)
        return url if isinstance(url, str) and url else None
    for row in await fetch_all(conn, "PRAGMA database_list"):
        if row[1] == "main" and row[2]:
            return Path(row[2])
    return None


def _read_only(path: Path) -> str:
    return f"file:{pathname2url(os.path.abspath(path))}?mode=ro"


@asynccontextmanager
async def snapshot(source: ExportSource) -> AsyncIterator[Connection]:
    """A read-only connection of its own on the database, inside one read transaction."""
    if isinstance(source, str):
        from bot.storage.postgres import read_snapshot  # psycopg is an optional extra

        async with read_snapshot(source) as pg:
            yield pg
        return
    conn = await aiosqlite.connect(_read_only(source), uri=True, isolation_level=None)
    try:
        await conn.execute("PRAGMA busy_timeout = 10000")
        await conn.execute("BEGIN")
        yield conn
    finally:
        await conn.close()


async def batches(
    conn: Connection, sql: str, params: tuple[Any, ...], size: int | None = None
) -> AsyncIterator[list[Any]]:
    size = size or BATCH  # read at each call, so that a test may make every batch a row
    stream = getattr(conn, "stream", None)
    if stream is not None:  # PostgreSQL
        async for rows in stream(sql, params, size):
            yield rows
        return
    assert isinstance(conn, aiosqlite.Connection)
    async with conn.execute(sql, params) as cursor:
        while rows := list(await cursor.fetchmany(size)):
            yield rows


class ExportReader:
    def __init__(self, conn: Connection, campaign: Campaign) -> None:
        self.conn = conn
        self.campaign = campaign
        self.tz = campaign.campaign.tz

    def nominations_sql(self, scope: ExportScope, *, with_contacts: bool = False) -> tuple[str, tuple[Any, ...]]:
        start, end = scope.bounds(self.tz)
        return _NOMINATIONS.format(contacts=_CONTACTS if with_contacts else "NULL, NULL"), (to_db(start), to_db(end))

    async def nominations(self, scope: ExportScope, *, with_contacts: bool) -> AsyncIterator[list[Sequence[Any]]]:
        """Nominations made within the scope's dates, oldest first, as the database hands them over: a
        province's year is hundreds of thousands of rows, each turned straight into its cells. The columns
        are NominationRow's, with the times as stored (UTC text, see timefmt) and the flags as 0 or 1. The
        nominator's name and phone are there only for an export with contacts (and never for an anonymous
        nomination)."""
        sql, params = self.nominations_sql(scope, with_contacts=with_contacts)
        async for rows in batches(self.conn, sql, params):
            yield rows

    def _latest(self, scope: ExportScope) -> tuple[str, tuple[Any, ...]]:
        """The latest version of each unit's report: for the period, or among those sent within the dates."""
        if scope.period is not None:
            return (
                "SELECT r.* FROM reports r WHERE r.period_code = ? AND r.version ="
                " (SELECT MAX(x.version) FROM reports x WHERE x.period_code = r.period_code"
                " AND x.unit_code = r.unit_code)",
                (scope.period.code,),
            )
        start, end = (to_db(b) for b in scope.bounds(self.tz))
        return (
            "SELECT r.* FROM reports r WHERE r.submitted_at >= ? AND r.submitted_at < ? AND r.version ="
            " (SELECT MAX(x.version) FROM reports x WHERE x.period_code = r.period_code"
            " AND x.unit_code = r.unit_code AND x.submitted_at >= ? AND x.submitted_at < ?)",
            (start, end, start, end),
        )

    def reports_sql(self, scope: ExportScope) -> tuple[str, tuple[Any, ...]]:
        """One row per figure (or one per area without figures), in the order the rows are listed."""
        latest, params = self._latest(scope)
        return (
            f"WITH latest AS ({latest}) SELECT l.id, l.reference, l.period_code, l.unit_code, u.name, u.group_code,"
            " l.version, l.submitted_at, l.late, a.area_code, a.narrative, v.indicator_code, v.value"
            " FROM latest l JOIN unit_versions u ON u.id = l.unit_version_id"
            " JOIN report_areas a ON a.report_id = l.id"
            " LEFT JOIN report_values v ON v.report_id = a.report_id AND v.area_code = a.area_code"
            " ORDER BY l.period_code, u.group_code IS NULL, u.group_code, l.unit_code, a.area_code",
            params,
        )

    async def report_lines(self, scope: ExportScope) -> AsyncIterator[list[Sequence[Any]]]:
        """The rows of reports_sql as the database hands them over, one per figure (or one per area without
        figures): report id, reference, period, unit code, unit name as filed, group, version, sent at (UTC
        text as stored), late (0 or 1), area, narrative, indicator code, value. An area's rows come together,
        so its row is complete once the next area's starts; the workbook turns them straight into cells."""
        sql, params = self.reports_sql(scope)
        async for rows in batches(self.conn, sql, params):
            yield rows

    async def reports(self, scope: ExportScope) -> AsyncIterator[list[ReportRow]]:
        """One row per unit and content area of each latest report, by period, cluster/block, unit and area.
        The figures come joined to their area, so an area's row is complete once the next one starts."""
        current: ReportRow | None = None
        key: tuple[int, str] | None = None
        parse = dt.datetime.fromisoformat
        async for rows in self.report_lines(scope):
            done: list[ReportRow] = []
            for r in rows:
                if key != (r[0], r[9]):
                    if current is not None:
                        done.append(current)
                    key = (r[0], r[9])
                    current = ReportRow(r[1], r[2], r[3], r[4], r[5], r[6], parse(r[7]), bool(r[8]), r[9], r[10], {})
                if r[11] is not None and current is not None:
                    current.values[r[11]] = r[12]
            if done:
                yield done
        if current is not None:
            yield [current]

    def periods_in(self, scope: ExportScope) -> list[ReportingPeriod]:
        """The period asked for, or those whose deadline falls within the dates."""
        if scope.period is not None:
            return [scope.period]
        return [p for p in self.campaign.reporting_periods if scope.start <= p.deadline <= scope.end]

    async def reported(self, period: ReportingPeriod) -> dict[str, bool]:
        """Unit code -> whether its first version came after the deadline, for the units that reported."""
        rows = await fetch_all(
            self.conn,
            "SELECT unit_code, MIN(late) FROM reports WHERE period_code = ? GROUP BY unit_code",
            (period.code,),
        )
        return fold_units({r[0]: bool(r[1]) for r in rows}, await successor_map(self.conn))

    async def active_units(self) -> list[UnitRef]:
        rows = await fetch_all(
            self.conn, "SELECT code, name, kind, group_code FROM current_units WHERE status = 'active' ORDER BY code"
        )
        return [UnitRef(*row) for row in rows]

    async def unreported(self, scope: ExportScope, units: list[UnitRef]) -> list[UnreportedRow]:
        """Active units that owe a period of the scope and have sent nothing for it, by cluster/block."""
        found: list[UnreportedRow] = []
        # Sorted once, as the reports' rows are (units outside any group last): what a period owes keeps the
        # order of the units it is picked from.
        units = sorted(units, key=lambda u: (u.group is None, u.group or "", u.code))
        for period in self.periods_in(scope):
            done = await self.reported(period)
            owing = period.owing(units)
            found += [
                UnreportedRow(period.code, period.deadline, u.code, u.name, u.group)
                for u in owing
                if u.code not in done
            ]
        return found

    async def bulletin(self, scope: ExportScope) -> list[BulletinEntry]:
        """Approved nominations marked for the media column, approved within the dates, whose nominee agreed
        where that is needed; a merged nomination appears through the one it was merged into."""
        start, end = scope.bounds(self.tz)
        rows = await fetch_all(
            self.conn,
            "SELECT n.reference, n.nominee_kind, n.nominee_name, n.unit_code, n.category_code, n.deed, r.decided_at,"
            " n.on_behalf_of_unit, r.consent_recorded_at FROM nominations n"
            " JOIN nomination_reviews r ON r.nomination_id = n.id"
            " WHERE r.for_publication = 1 AND r.merged_into IS NULL AND n.status IN (?, ?)"
            " AND r.decided_at >= ? AND r.decided_at < ? ORDER BY r.decided_at, n.id",
            (NominationStatus.APPROVED.value, NominationStatus.PUBLISHED.value, to_db(start), to_db(end)),
        )
        return [
            BulletinEntry(
                reference=r[0],
                nominee_kind=r[1],
                nominee_name=r[2],
                unit_code=r[3],
                category_code=r[4],
                deed=r[5],
                decided_at=from_db(r[6]),
                on_behalf_of_unit=r[7],
            )
            for r in rows
            if may_publish(_Nominee(NomineeKind(r[1]), r[7]), True, r[8] is not None)
        ]

    async def unit_names(self) -> dict[str, str]:
        """Every unit's current name, retired ones too; a merged unit's rows show its successor and where
        they were filed ("Xã Long Tiên ← Xã Mỹ Long")."""
        return await display_names(self.conn)

    async def merged_units(self) -> frozenset[str]:
        """The codes of units merged into another, whose rows show their successor."""
        return frozenset(await successor_map(self.conn))


class _Nominee(NamedTuple):
    nominee_kind: NomineeKind
    on_behalf_of_unit: str | None
