"""What the secretariat's files are made of: the scope asked for, and the rows read for it.

Rows are plain tuples: an export of a province's year may hold a hundred thousand of them.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import NamedTuple
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, model_validator

from bot.domain.campaign import ReportingPeriod


class ExportKind(StrEnum):
    XLSX = "xlsx"
    BULLETIN = "bulletin"
    COMPILATION = "compilation"


# The longest date range one export covers: a campaign's year and some.
LONGEST_RANGE = dt.timedelta(days=800)


class ExportScope(BaseModel):
    """A reporting period, or a range of local dates (both ends included)."""

    model_config = ConfigDict(frozen=True)

    start: dt.date
    end: dt.date
    period: ReportingPeriod | None = None

    @model_validator(mode="after")
    def _in_order(self) -> ExportScope:
        if self.end < self.start:
            raise ValueError("the range ends before it starts")
        if self.end - self.start > LONGEST_RANGE:
            raise ValueError("the range is longer than an export covers")
        return self

    @classmethod
    def of_period(cls, period: ReportingPeriod) -> ExportScope:
        return cls(start=period.opens, end=period.last_day, period=period)

    @classmethod
    def last_days(cls, days: int, today: dt.date) -> ExportScope:
        """The `days` local days up to and including today."""
        return cls(start=today - dt.timedelta(days=days - 1), end=today)

    def bounds(self, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """[start, end) in UTC: from the first local midnight to the midnight after the last day."""
        start = dt.datetime.combine(self.start, dt.time(), tzinfo=tz).astimezone(dt.UTC)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), tzinfo=tz).astimezone(dt.UTC)
        return start, end

    def dates(self) -> str:
        return f"{self.start:%d/%m/%Y} – {self.end:%d/%m/%Y}"

    def slug(self) -> str:
        """For file names: the period's code, or the dates."""
        return self.period.code if self.period else f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"


def parse_day(text: str) -> dt.date | None:
    """ "2026-10-01", "01/10/2026" or "1/10/2026"; None for anything else (or a day that does not exist)."""
    text = text.strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_range(text: str) -> ExportScope | None:
    """ "01/10/2026-31/10/2026" (or with "..", "–", " đến "); a single day is a range of one day. None when
    the text is no such range, or ends before it starts."""
    first, last = _ends(text)
    start, end = parse_day(first), parse_day(last)
    if start is None or end is None:
        return None
    try:
        return ExportScope(start=start, end=end)
    except ValueError:
        return None


def _ends(text: str) -> tuple[str, str]:
    folded = text.strip().replace(" đến ", "..").replace("–", "..").replace(" - ", "..")
    if ".." in folded:
        first, _, last = folded.partition("..")
        return first, last
    if folded.count("-") == 1 and "/" in folded:
        first, _, last = folded.partition("-")
        return first, last
    return folded, folded


_DATE_SHAPED = re.compile(r"\s*\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\s*")


def range_problem(text: str) -> str:
    """Why `text` is not a range of days, for the message that says so: "impossible" (shaped like dates, but
    a day that does not exist, such as 31/02), "reversed" (it ends before it starts), or "not_dates"."""
    first, last = _ends(text)
    if not (_DATE_SHAPED.fullmatch(first) and _DATE_SHAPED.fullmatch(last)):
        return "not_dates"
    start, end = parse_day(first), parse_day(last)
    if start is None or end is None:
        return "impossible"
    return "reversed" if end < start else "not_dates"


class NominationRow(NamedTuple):
    reference: str
    created_at: dt.datetime
    status: str
    nominee_kind: str
    nominee_name: str
    unit_code: str
    category_code: str
    deed: str
    evidence_count: int
    on_behalf_of_unit: str | None
    anonymous: bool
    for_publication: bool
    consent_at: dt.datetime | None
    merged_into: str | None
    duplicate_of: str | None
    # Only filled in an export with contacts.
    nominator_name: str | None
    nominator_phone: str | None


class ReportRow(NamedTuple):
    """One content area of a unit's latest report version."""

    reference: str
    period_code: str
    unit_code: str
    unit_name: str
    group_code: str | None
    version: int
    submitted_at: dt.datetime
    late: bool
    area_code: str
    narrative: str
    values: dict[str, float]


class UnreportedRow(NamedTuple):
    period_code: str
    deadline: dt.date
    unit_code: str
    unit_name: str
    group_code: str | None


class BulletinEntry(NamedTuple):
    reference: str
    nominee_kind: str
    nominee_name: str
    unit_code: str
    category_code: str
    deed: str
    decided_at: dt.datetime
    on_behalf_of_unit: str | None
