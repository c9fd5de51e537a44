"""Where reporting stands in one period, per cluster or block: how many units owe a report, how many sent
it on time or late, and who is missing. The digests and their chart show it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Protocol

from pydantic import BaseModel, Field

from bot.domain.campaign import ReportingPeriod


class GroupStanding(BaseModel):
    """One cluster or block (or "" for units in none) in one period."""

    group: str
    owing: int = 0
    on_time: int = 0
    late: int = 0
    missing: list[str] = Field(default_factory=list)

    @property
    def sent(self) -> int:
        return self.on_time + self.late


class PeriodStanding(BaseModel):
    period: str
    deadline: dt.date
    overdue: bool
    groups: list[GroupStanding]

    @property
    def owing(self) -> int:
        return sum(g.owing for g in self.groups)

    @property
    def sent(self) -> int:
        return sum(g.sent for g in self.groups)

    @property
    def late(self) -> int:
        return sum(g.late for g in self.groups)

    @property
    def missing(self) -> int:
        return sum(len(g.missing) for g in self.groups)


class NamedUnit(Protocol):
    """A unit as the standing needs it (the database's units, the planner's)."""

    @property
    def code(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def group(self) -> str | None: ...
    @property
    def name(self) -> str: ...


def standing(
    period: ReportingPeriod,
    units: Iterable[NamedUnit],
    reported: dict[str, bool],
    today: dt.date,
    group_order: Sequence[str] = (),
) -> PeriodStanding:
    """Per cluster/block: how many units owe the period, sent on time, sent late, and who is missing.
    `reported` maps a unit that sent to whether its first version was late. Groups in `group_order`,
    others after them, units in no group last."""
    groups: dict[str, GroupStanding] = {}
    for unit in period.owing(units):
        code = unit.group or ""
        group = groups.get(code)
        if group is None:
            group = groups[code] = GroupStanding(group=code)
        group.owing += 1
        late = reported.get(unit.code)
        if late is None:
            group.missing.append(unit.name)
        elif late:
            group.late += 1
        else:
            group.on_time += 1
    order = {code: i for i, code in enumerate(group_order)}
    ordered = sorted(groups.values(), key=lambda g: (g.group == "", order.get(g.group, len(order)), g.group))
    return PeriodStanding(period=period.code, deadline=period.deadline, overdue=today > period.deadline, groups=ordered)
