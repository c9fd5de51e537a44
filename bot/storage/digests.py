"""What a digest reads from the database, and the log of the windows already sent.

Reads are by time and by period, over the indexes migration 0005 added for them. No column holding a
nominator's name or phone number is ever selected here, so no digest can carry one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from pydantic import BaseModel

from bot.domain.digest import DigestKind, Window
from bot.domain.successions import fold_reported
from bot.storage.database import Connection, fetch_all, fetch_one
from bot.storage.timefmt import from_db, to_db
from bot.storage.unit_successors import successor_map


class NewNomination(BaseModel):
    reference: str
    nominee_name: str
    unit_code: str
    category_code: str


class NewReport(BaseModel):
    reference: str
    period_code: str
    unit_code: str
    version: int
    late: bool


class Activity(BaseModel):
    """What came in during a window: counts, and the first few of each for the list."""

    nominations: int = 0
    reports: int = 0
    reports_late: int = 0
    amendments: int = 0
    nomination_list: list[NewNomination] = []
    report_list: list[NewReport] = []


class DigestRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- the log ---------------------------------------------------------------------------------------
    async def last_end(self, kind: DigestKind) -> dt.datetime | None:
        row = await fetch_one(self.conn, "SELECT MAX(window_end) FROM digest_log WHERE kind = ?", (kind.value,))
        return from_db(row[0]) if row and row[0] else None

    async def record_baseline(self, kind: DigestKind, moment: dt.datetime, now: dt.datetime) -> bool:
        """The moment digests of this kind start counting from: no digest is owed for the time before."""
        return await self._claim(kind, None, moment, 0, now)

    async def record(self, window: Window, messages: int, now: dt.datetime) -> bool:
        """Claim the window; False if it was recorded already (by an earlier run or another process), in
        which case the caller's transaction must queue nothing."""
        return await self._claim(window.kind, window.start, window.end, messages, now)

    async def _claim(
        self, kind: DigestKind, start: dt.datetime | None, end: dt.datetime, messages: int, now: dt.datetime
    ) -> bool:
        cur = await self.conn.execute(
            "INSERT INTO digest_log (kind, window_end, window_start, messages, recorded_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (kind.value, to_db(end), to_db(start) if start else None, messages, to_db(now)),
        )
        return cur.rowcount == 1

    async def logged(self, kind: DigestKind) -> list[tuple[dt.datetime | None, dt.datetime, int]]:
        """(start, end, messages) of every row of the kind, oldest first: for operators and tests."""
        rows = await fetch_all(
            self.conn,
            "SELECT window_start, window_end, messages FROM digest_log WHERE kind = ? ORDER BY window_end",
            (kind.value,),
        )
        return [(from_db(r[0]) if r[0] else None, from_db(r[1]), int(r[2])) for r in rows]

    # -- what came in ----------------------------------------------------------------------------------
    async def activity(self, start: dt.datetime, end: dt.datetime, listed: int) -> Activity:
        """Nominations made and reports submitted in (start, end]."""
        bounds = (to_db(start), to_db(end))
        nominations = await fetch_one(
            self.conn, "SELECT COUNT(*) FROM nominations WHERE created_at > ? AND created_at <= ?", bounds
        )
        reports = await fetch_one(
            self.conn,
            "SELECT COUNT(*), COALESCE(SUM(late), 0), COALESCE(SUM(CASE WHEN version > 1 THEN 1 ELSE 0 END), 0)"
            " FROM reports WHERE submitted_at > ? AND submitted_at <= ?",
            bounds,
        )
        nomination_rows = await fetch_all(
            self.conn,
            "SELECT reference, nominee_name, unit_code, category_code FROM nominations"
            " WHERE created_at > ? AND created_at <= ? ORDER BY created_at, id LIMIT ?",
            (*bounds, listed),
        )
        report_rows = await fetch_all(
            self.conn,
            "SELECT reference, period_code, unit_code, version, late FROM reports"
            " WHERE submitted_at > ? AND submitted_at <= ? ORDER BY submitted_at, id LIMIT ?",
            (*bounds, listed),
        )
        return Activity(
            nominations=int(nominations[0]) if nominations else 0,
            reports=int(reports[0]) if reports else 0,
            reports_late=int(reports[1]) if reports else 0,
            amendments=int(reports[2]) if reports else 0,
            nomination_list=[
                NewNomination(reference=r[0], nominee_name=r[1], unit_code=r[2], category_code=r[3])
                for r in nomination_rows
            ],
            report_list=[
                NewReport(reference=r[0], period_code=r[1], unit_code=r[2], version=r[3], late=bool(r[4]))
                for r in report_rows
            ],
        )

    async def reported_by(self, period_codes: Sequence[str], at: dt.datetime) -> dict[str, dict[str, bool]]:
        """period -> unit -> whether its first version was late, for the units that had reported by `at`
        (a digest sent late after downtime tells where things stood at the end of its window)."""
        if not period_codes:
            return {}
        marks = ", ".join("?" for _ in period_codes)
        rows = await fetch_all(
            self.conn,
            "SELECT period_code, unit_code, MIN(late) FROM reports"
            f" WHERE period_code IN ({marks}) AND submitted_at <= ? GROUP BY period_code, unit_code",
            (*period_codes, to_db(at)),
        )
        result: dict[str, dict[str, bool]] = {code: {} for code in period_codes}
        for period, unit, late in rows:
            result[period][unit] = bool(late)
        return fold_reported(result, await successor_map(self.conn))
