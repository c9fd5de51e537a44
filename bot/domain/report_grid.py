"""The reporting grid: what one cell (a unit in a reporting period) says about that unit's report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from enum import StrEnum

from bot.domain.campaign import ReportingPeriod
from bot.domain.reports import Submission


class Cell(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    MISSING = "missing"  # the deadline has passed and nothing came
    NOT_DUE = "not_due"  # nothing yet, and the deadline has not passed
    NOT_OWED = "not_owed"  # this unit owes this period no report


def cell(period: ReportingPeriod, owes: bool, versions: Sequence[Submission], today: dt.date) -> Cell:
    """On time or late by the first version (an amendment after the deadline does not make an on-time unit
    late); whether it was amended is the number of versions, shown beside."""
    if versions:
        return Cell.LATE if versions[0].late else Cell.ON_TIME
    if not owes:
        return Cell.NOT_OWED
    return Cell.MISSING if period.is_late_on(today) else Cell.NOT_DUE
