"""The campaign configuration: movements, content areas, units and reporting periods."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Literal, Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.domain.digest import DigestSchedule
from bot.domain.localized import Localized, as_localized
from bot.domain.reminder_policy import ReminderPolicy
from bot.domain.text import fold

LANGUAGES = ("vi", "en")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CampaignInfo(Strict):
    code: str = Field(min_length=1, max_length=32)
    year: int = Field(ge=2000, le=2100)
    timezone: str = "Asia/Ho_Chi_Minh"
    title: Localized
    launched_by: Localized | None = None
    secretariat: Localized | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Indicator(Strict):
    """A figure a unit reports for a content area, e.g. households lifted out of poverty."""

    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,24}$")
    name: Localized
    unit: Localized
    type: Literal["integer", "decimal"] = "integer"
    min: float | None = None
    max: float | None = None

    _localize = field_validator("name", "unit", mode="before")(as_localized)

    @model_validator(mode="after")
    def _bounds_in_order(self) -> Indicator:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError("min is above max")
        return self


class Category(Strict):
    """Something a nomination can belong to: a named movement or one of the content areas."""

    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,24}$")
    name: Localized
    indicators: list[Indicator] = Field(default_factory=list)

    _localize = field_validator("name", mode="before")(as_localized)


class Group(Strict):
    """An emulation cluster (localities) or block (agencies)."""

    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,24}$")
    kind: Literal["cluster", "block"]
    name: Localized
    sample: bool = False

    _localize = field_validator("name", mode="before")(as_localized)


class UnitConfig(Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    name: str = Field(min_length=2, max_length=200)
    kind: str = Field(min_length=1, max_length=32)
    parent: str | None = None
    group: str | None = None


class OwedBy(Strict):
    """Which units owe a report: any unit matching one of the lists (all units when every list is empty)."""

    kinds: list[str] = Field(default_factory=list)
    groups: list[str] = Field(default_factory=list)
    units: list[str] = Field(default_factory=list)

    @property
    def everyone(self) -> bool:
        return not (self.kinds or self.groups or self.units)

    def includes(self, code: str, kind: str, group: str | None) -> bool:
        if self.everyone:
            return True
        return kind in self.kinds or (group is not None and group in self.groups) or code in self.units


DEFAULT_GRACE = dt.timedelta(days=30)


class UnitLike(Protocol):
    """What deciding who owes a report needs to know of a unit (the database's units, the planner's)."""

    @property
    def code(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def group(self) -> str | None: ...


U = TypeVar("U", bound=UnitLike)


class ReportingPeriod(Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")
    kind: Literal["six_month", "year_end", "phase"]
    name: Localized
    opens: dt.date
    deadline: dt.date
    # After the deadline, reports are still accepted (marked late) until the period closes.
    closes: dt.date | None = None
    owed_by: OwedBy = Field(default_factory=OwedBy)

    _localize = field_validator("name", mode="before")(as_localized)

    @model_validator(mode="after")
    def _dates_in_order(self) -> ReportingPeriod:
        if self.deadline < self.opens:
            raise ValueError("deadline is before opens")
        if self.closes is not None and self.closes < self.deadline:
            raise ValueError("closes is before deadline")
        return self

    @property
    def last_day(self) -> dt.date:
        return self.closes or self.deadline + DEFAULT_GRACE

    def accepts_on(self, day: dt.date) -> bool:
        return self.opens <= day <= self.last_day

    def is_late_on(self, day: dt.date) -> bool:
        return day > self.deadline

    def owes(self, unit: UnitLike) -> bool:
        return self.owed_by.includes(unit.code, unit.kind, unit.group)

    def owing(self, units: Iterable[U]) -> list[U]:
        """The units (pass the active ones) that owe this period a report."""
        if self.owed_by.everyone:
            return list(units)
        return [u for u in units if self.owes(u)]


class Campaign(Strict):
    campaign: CampaignInfo
    movements: list[Category] = Field(min_length=1)
    content_areas: list[Category] = Field(min_length=1)
    groups: list[Group] = Field(default_factory=list)
    # A CSV of units beside the campaign file (relative to it); its rows are read into `units` on loading.
    units_file: str | None = None
    # A CSV of successions (former unit → successor) beside the campaign file, imported at every start.
    successions_file: str | None = None
    units: list[UnitConfig] = Field(min_length=1)
    reporting_periods: list[ReportingPeriod] = Field(default_factory=list)
    reminders: ReminderPolicy = Field(default_factory=ReminderPolicy)
    # When the secretariat's daily and weekly digests fall due, in the campaign's time zone.
    digests: DigestSchedule = Field(default_factory=DigestSchedule)

    @model_validator(mode="after")
    def _references_resolve(self) -> Campaign:
        _unique("movements", [c.code for c in self.movements])
        _unique("content_areas", [c.code for c in self.content_areas])
        _unique("groups", [g.code for g in self.groups])
        _unique("units", [u.code for u in self.units])
        _unique("reporting_periods", [p.code for p in self.reporting_periods])
        overlap = {c.code for c in self.movements} & {c.code for c in self.content_areas}
        if overlap:
            raise ValueError(f"codes used both as movement and content area: {sorted(overlap)}")
        groups = {g.code for g in self.groups}
        units = {u.code for u in self.units}
        for period in self.reporting_periods:
            unknown = set(period.owed_by.groups) - groups
            if unknown:
                raise ValueError(f"reporting period {period.code}: unknown groups {sorted(unknown)}")
        for unit in self.units:
            if unit.group is not None and unit.group not in groups:
                raise ValueError(f"unit {unit.code}: unknown group {unit.group!r}")
            if unit.parent is not None and unit.parent not in units:
                raise ValueError(f"unit {unit.code}: unknown parent {unit.parent!r}")
        return self

    @property
    def categories(self) -> list[Category]:
        return [*self.movements, *self.content_areas]

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)

    def period(self, code: str) -> ReportingPeriod | None:
        return next((p for p in self.reporting_periods if p.code == code), None)

    def group(self, code: str) -> Group | None:
        return next((g for g in self.groups if g.code == code), None)

    def area(self, code: str) -> Category | None:
        return next((c for c in self.content_areas if c.code == code), None)

    def unit(self, code: str) -> UnitConfig | None:
        return next((u for u in self.units if u.code == code), None)

    def search_categories(self, query: str, lang: str) -> list[Category]:
        words = fold(query).split()
        if not words:
            return []
        return [
            c
            for c in self.categories
            if all(w in f"{fold(c.name.get('vi'))} {fold(c.name.get('en'))} {fold(c.code)}" for w in words)
        ]


def _unique(what: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"{what}: duplicate code {code!r}")
        seen.add(code)
