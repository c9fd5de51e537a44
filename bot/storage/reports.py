from __future__ import annotations

import datetime as dt
from collections import defaultdict

from bot.domain.nomination import EvidenceFile
from bot.domain.reports import AreaReport, NewReport, Report, Submission, report_reference
from bot.domain.successions import fold_sent_late
from bot.storage.database import (
    JOIN_SEPARATOR,
    Connection,
    fetch_all,
    fetch_one,
    insert_id,
    joined_texts,
    split_joined,
)
from bot.storage.timefmt import from_db, to_db
from bot.storage.unit_successors import successor_map


class ReportRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def create(self, new: NewReport, unit_version_id: int, year: int, late: bool, now: dt.datetime) -> Report:
        """The next version of this unit's report for the period; earlier versions stay as they were."""
        row = await fetch_one(
            self.conn,
            "SELECT COALESCE(MAX(version), 0) FROM reports WHERE period_code = ? AND unit_code = ?",
            (new.period_code, new.unit_code),
        )
        version = int(row[0]) + 1 if row else 1
        reference = report_reference(year, new.period_code, new.unit_code, version)
        report_id = await insert_id(
            self.conn,
            "INSERT INTO reports (reference, campaign_code, period_code, unit_code, unit_version_id, version,"
            " submitted_by, channel, submitted_at, late) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                reference,
                new.campaign_code,
                new.period_code,
                new.unit_code,
                unit_version_id,
                version,
                new.submitted_by,
                new.channel,
                to_db(now),
                int(late),
            ),
        )
        for area in new.areas:
            await self.conn.execute(
                "INSERT INTO report_areas (report_id, area_code, narrative) VALUES (?, ?, ?)",
                (report_id, area.area_code, area.narrative),
            )
            await self.conn.executemany(
                "INSERT INTO report_values (report_id, area_code, indicator_code, value) VALUES (?, ?, ?, ?)",
                [(report_id, area.area_code, code, value) for code, value in area.values.items()],
            )
        await self.conn.executemany(
            "INSERT INTO report_files (report_id, position, sha256, original_name) VALUES (?, ?, ?, ?)",
            [(report_id, i, f.sha256, f.original_name) for i, f in enumerate(new.files, start=1)],
        )
        found = await self.by_reference(reference)
        assert found is not None
        return found

    async def by_reference(self, reference: str) -> Report | None:
        row = await fetch_one(self.conn, "SELECT id FROM reports WHERE reference = ?", (reference,))
        return await self._load(int(row[0])) if row else None

    async def latest(self, period_code: str, unit_code: str) -> Report | None:
        row = await fetch_one(
            self.conn,
            "SELECT id FROM reports WHERE period_code = ? AND unit_code = ? ORDER BY version DESC LIMIT 1",
            (period_code, unit_code),
        )
        return await self._load(int(row[0])) if row else None

    async def versions(self, period_code: str, unit_code: str) -> list[Report]:
        rows = await fetch_all(
            self.conn,
            "SELECT id FROM reports WHERE period_code = ? AND unit_code = ? ORDER BY version",
            (period_code, unit_code),
        )
        return [await self._load(int(r[0])) for r in rows]

    async def _load(self, report_id: int) -> Report:
        row = await fetch_one(
            self.conn,
            "SELECT r.*, v.name AS unit_name FROM reports r JOIN unit_versions v ON v.id = r.unit_version_id"
            " WHERE r.id = ?",
            (report_id,),
        )
        assert row is not None
        values: dict[str, dict[str, float]] = defaultdict(dict)
        for area_code, indicator, value in await fetch_all(
            self.conn,
            "SELECT area_code, indicator_code, value FROM report_values WHERE report_id = ?",
            (report_id,),
        ):
            values[area_code][indicator] = value
        areas = [
            AreaReport(area_code=r[0], narrative=r[1], values=values.get(r[0], {}))
            for r in await fetch_all(
                self.conn,
                "SELECT area_code, narrative FROM report_areas WHERE report_id = ? ORDER BY area_code",
                (report_id,),
            )
        ]
        files = [
            EvidenceFile(sha256=r[0], mime=r[1], size=r[2], original_name=r[3])
            for r in await fetch_all(
                self.conn,
                "SELECT f.sha256, f.mime, f.size, rf.original_name FROM report_files rf"
                " JOIN files f ON f.sha256 = rf.sha256 WHERE rf.report_id = ? ORDER BY rf.position",
                (report_id,),
            )
        ]
        return Report(
            id=row["id"],
            reference=row["reference"],
            period_code=row["period_code"],
            unit_code=row["unit_code"],
            unit_name=row["unit_name"],
            version=row["version"],
            submitted_by=row["submitted_by"],
            submitted_at=from_db(row["submitted_at"]),
            late=bool(row["late"]),
            areas=areas,
            files=files,
        )

    async def submitted_unit_codes(self, period_code: str) -> set[str]:
        rows = await fetch_all(
            self.conn, "SELECT DISTINCT unit_code FROM reports WHERE period_code = ?", (period_code,)
        )
        successors = await successor_map(self.conn)
        return {successors.get(r[0], r[0]) for r in rows}

    async def submitted_by_period(self) -> dict[str, set[str]]:
        """period code -> units that have reported for it."""
        result: dict[str, set[str]] = {}
        successors = await successor_map(self.conn)
        for period, unit in await fetch_all(self.conn, "SELECT DISTINCT period_code, unit_code FROM reports"):
            result.setdefault(period, set()).add(successors.get(unit, unit))
        return result

    async def submissions(self, period_codes: list[str], unit_codes: list[str]) -> list[Submission]:
        """Every version the units sent for the periods, oldest first within each unit and period; what a
        merged unit sent is listed under the successor asked for (its reference still names where it was
        filed)."""
        if not period_codes or not unit_codes:
            return []
        successors = await successor_map(self.conn)
        unit_codes = [*unit_codes, *(old for old, new in successors.items() if new in unit_codes)]
        rows = await fetch_all(
            self.conn,
            "SELECT reference, period_code, unit_code, version, submitted_at, late FROM reports"
            f" WHERE period_code IN ({_marks(period_codes)}) AND unit_code IN ({_marks(unit_codes)})"
            " ORDER BY period_code, unit_code, version",
            (*period_codes, *unit_codes),
        )
        return [
            Submission(
                reference=r[0],
                period_code=r[1],
                unit_code=successors.get(r[2], r[2]),
                version=r[3],
                submitted_at=from_db(r[4]),
                late=bool(r[5]),
            )
            for r in rows
        ]

    async def reported(self, period_codes: list[str]) -> dict[str, dict[str, bool]]:
        """period code -> unit code -> late, for every unit that reported: late only if its first version
        came after the deadline (an amendment after the deadline does not make an on-time unit late)."""
        return {
            period: dict.fromkeys(sent, False) | dict.fromkeys(late, True)
            for period, (sent, late) in (await self.sent_and_late(period_codes)).items()
        }

    async def sent_and_late(self, period_codes: list[str]) -> dict[str, tuple[set[str], set[str]]]:
        """period code -> (the units that reported, those of them that were late), as sets a province's
        views count by set operations: late only if a unit's first version came after the deadline. What a
        merged unit sent counts for its successor, late only if neither came in time."""
        if not period_codes:
            return {}
        # The codes come back joined in one text per period, not a row per unit: a province's tens of
        # thousands of (period, unit) pairs would cost more to hand over one by one than to count. Which
        # units reported is read from the index alone; lateness only for the late versions, whose unit is late
        # when no version of it came in time.
        marks = _marks(period_codes)
        sent = await self._sent(period_codes)
        late_rows = await fetch_all(
            self.conn,
            f"SELECT period_code, {joined_texts(self.conn, 'unit_code')} FROM"
            " (SELECT DISTINCT period_code, unit_code FROM reports r"
            f" WHERE period_code IN ({marks}) AND late = 1 AND NOT EXISTS (SELECT 1 FROM reports o"
            " WHERE o.period_code = r.period_code AND o.unit_code = r.unit_code AND o.late = 0)) AS late"
            " GROUP BY period_code",
            (JOIN_SEPARATOR, *period_codes),
        )
        late = {code: set[str]() for code in period_codes}
        for period, codes in late_rows:
            late[period] = split_joined(codes)
        successors = await successor_map(self.conn)
        return {period: fold_sent_late(sent[period], late[period], successors) for period in period_codes}

    async def reported_units(self, period_codes: list[str]) -> dict[str, set[str]]:
        """period code -> the units that reported for it, a merged unit's report counted for its successor:
        what reminders ask, for the periods they plan only."""
        if not period_codes:
            return {}
        sent = await self._sent(period_codes)
        successors = await successor_map(self.conn)
        if not successors:
            return sent
        return {period: {successors.get(code, code) for code in codes} for period, codes in sent.items()}

    async def _sent(self, period_codes: list[str]) -> dict[str, set[str]]:
        """period code -> the codes the reports for it were filed under, read from the index alone. An amended
        report's unit comes once for each version: cheaper to drop in the set than to sort out in SQL."""
        rows = await fetch_all(
            self.conn,
            f"SELECT period_code, {joined_texts(self.conn, 'unit_code')} FROM reports"
            f" WHERE period_code IN ({_marks(period_codes)}) GROUP BY period_code",
            (JOIN_SEPARATOR, *period_codes),
        )
        sent = {code: set[str]() for code in period_codes}
        for period, codes in rows:
            sent[period] = split_joined(codes)
        return sent


def _marks(values: list[str]) -> str:
    return ", ".join("?" * len(values))
