"""The secretariat's digests, planned without I/O: which windows are due and what stands where.

A digest covers a window (start, end], where each end is a scheduled local time (daily at 17:00, weekly on
Monday at 08:00 by default). The ends already sent are in the database; the planner returns every window
that ended since, so a digest is never sent twice for a window (its key is its end) and none is skipped
after downtime. A long outage is not paid for with a flood: past MAX_CATCH_UP windows, the oldest are
folded into one digest that covers them all.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.domain.timeofday import TimeOfDay

MAX_CATCH_UP = 7


class DigestKind(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DigestSchedule(BaseModel):
    """When digests fall due, in the campaign's local time. `weekly_day` counts from Monday = 0; the
    campaign file may also name the day ("monday")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    daily_at: TimeOfDay = dt.time(17, 0)
    weekly_day: int = Field(default=0, ge=0, le=6)
    weekly_at: TimeOfDay = dt.time(8, 0)

    @field_validator("weekly_day", mode="before")
    @classmethod
    def _day_by_name(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() in WEEKDAYS:
            return WEEKDAYS.index(value.strip().lower())
        return value

    def latest(self, kind: DigestKind, at: dt.datetime, tz: ZoneInfo) -> dt.datetime:
        """The last scheduled moment at or before `at`, in UTC."""
        local = at.astimezone(tz)
        if kind is DigestKind.DAILY:
            day = local.date()
            moment = _at(day, self.daily_at, tz)
            return moment if moment <= at else _at(day - dt.timedelta(days=1), self.daily_at, tz)
        day = local.date() - dt.timedelta(days=(local.weekday() - self.weekly_day) % 7)
        moment = _at(day, self.weekly_at, tz)
        return moment if moment <= at else _at(day - dt.timedelta(days=7), self.weekly_at, tz)

    def following(self, kind: DigestKind, moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
        """The scheduled moment after `moment` (itself scheduled), counted in local days."""
        step = dt.timedelta(days=1 if kind is DigestKind.DAILY else 7)
        at = self.daily_at if kind is DigestKind.DAILY else self.weekly_at
        return _at(moment.astimezone(tz).date() + step, at, tz)

    def ends(self, kind: DigestKind, after: dt.datetime, until: dt.datetime, tz: ZoneInfo) -> list[dt.datetime]:
        """Every scheduled moment in (after, until]."""
        found: list[dt.datetime] = []
        moment = self.latest(kind, after, tz)
        while True:
            moment = self.following(kind, moment, tz)
            if moment > until:
                return found
            found.append(moment)


def _at(day: dt.date, time: dt.time, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=tz).astimezone(dt.UTC)


class Window(BaseModel):
    model_config = ConfigDict(frozen=True)

    kind: DigestKind
    start: dt.datetime
    end: dt.datetime

    @property
    def key(self) -> str:
        """The window's name in the outbox and the digest log: one digest per kind and end."""
        return f"digest:{self.kind.value}:{self.end.astimezone(dt.UTC):%Y-%m-%dT%H:%M}"


class DigestPlan(BaseModel):
    windows: list[Window] = Field(default_factory=list)
    # Nothing was ever sent: the moment from which digests start counting, to be recorded, sending nothing.
    baseline: dt.datetime | None = None


def plan_windows(
    kind: DigestKind,
    schedule: DigestSchedule,
    tz: ZoneInfo,
    last_end: dt.datetime | None,
    now: dt.datetime,
    max_windows: int = MAX_CATCH_UP,
) -> DigestPlan:
    """The windows due at `now`, oldest first, given the end of the last one sent."""
    if last_end is None:
        # A new installation owes no digest of the time before it ran.
        return DigestPlan(baseline=schedule.latest(kind, now, tz))
    ends = schedule.ends(kind, last_end, now, tz)
    if not ends:
        return DigestPlan()
    starts = [last_end, *ends[:-1]]
    windows = [Window(kind=kind, start=s, end=e) for s, e in zip(starts, ends, strict=True)]
    if len(windows) > max_windows:
        folded = len(windows) - max_windows + 1
        windows = [Window(kind=kind, start=last_end, end=windows[folded - 1].end), *windows[folded:]]
    return DigestPlan(windows=windows)
