"""Progress reports of units for a reporting period."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from pydantic import BaseModel, Field

from bot.domain.campaign import Indicator
from bot.domain.nomination import EvidenceFile

NARRATIVE_MIN, NARRATIVE_MAX = 10, 4000


def report_reference(year: int, period: str, unit: str, version: int) -> str:
    """`BC-2026-6T-H-THAPMUOI-v1`."""
    return f"BC-{year}-{period}-{unit}-v{version}"


def parse_number(text: str, indicator: Indicator) -> float | None:
    """ "12,5" and "12.5" alike; thousands written "1.234" or "1 234" for whole numbers."""
    raw = text.strip().replace(" ", "").replace("\u00a0", "").rstrip("%")
    if indicator.type == "integer":
        raw = raw.replace(".", "").replace(",", "") if re.fullmatch(r"\d{1,3}([.,]\d{3})+", raw) else raw
        return float(raw) if re.fullmatch(r"[+-]?\d+", raw) else None
    if re.fullmatch(r"[+-]?\d+([.,]\d+)?", raw):
        return float(raw.replace(",", "."))
    return None


def within_bounds(value: float, indicator: Indicator) -> bool:
    return (indicator.min is None or value >= indicator.min) and (indicator.max is None or value <= indicator.max)


def format_number(value: float, lang: str = "vi") -> str:
    """1234.0 -> "1234"; 12.5 -> "12,5" in Vietnamese and "12.5" in English; never in exponent notation
    nor rounded (a figure a unit reported is shown as it was typed)."""
    if float(value).is_integer():
        return str(int(value))
    text = format(Decimal(repr(float(value))), "f")
    return text.replace(".", ",") if lang == "vi" else text


class AreaReport(BaseModel):
    area_code: str
    narrative: str = Field(min_length=NARRATIVE_MIN, max_length=NARRATIVE_MAX)
    values: dict[str, float] = Field(default_factory=dict)


class NewReport(BaseModel):
    campaign_code: str
    period_code: str
    unit_code: str
    submitted_by: int
    channel: str
    areas: list[AreaReport] = Field(min_length=1)
    files: list[EvidenceFile] = Field(default_factory=list)


class Submission(BaseModel):
    """One version of a unit's report for a period, without its content: what status listings show."""

    reference: str
    period_code: str
    unit_code: str
    version: int
    submitted_at: dt.datetime
    late: bool


class Report(BaseModel):
    id: int
    reference: str
    period_code: str
    unit_code: str
    unit_name: str
    version: int
    submitted_by: int
    submitted_at: dt.datetime
    late: bool
    areas: list[AreaReport] = Field(default_factory=list)
    files: list[EvidenceFile] = Field(default_factory=list)
