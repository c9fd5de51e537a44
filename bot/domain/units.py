"""Units as the database knows them: the latest version of each, and the rules of the hierarchy."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import StrEnum
from functools import cached_property
from typing import NamedTuple

from pydantic import BaseModel


class UnitStatus(StrEnum):
    ACTIVE = "active"
    MERGED = "merged"
    RETIRED = "retired"


class Unit(BaseModel):
    version_id: int
    code: str
    name: str
    kind: str
    parent: str | None = None
    group: str | None = None
    status: UnitStatus = UnitStatus.ACTIVE
    merged_into: str | None = None
    # Where this version came from: "campaign" (the YAML file), "csv:<file>", ...
    source: str = ""

    @property
    def active(self) -> bool:
        return self.status is UnitStatus.ACTIVE

    def fields(self) -> UnitFields:
        return UnitFields(
            code=self.code,
            name=self.name,
            kind=self.kind,
            parent=self.parent,
            group=self.group,
            status=self.status,
            merged_into=self.merged_into,
        )

    def same_as(self, other: UnitFields) -> bool:
        return (self.name, self.kind, self.parent, self.group, self.status, self.merged_into) == (
            other.name,
            other.kind,
            other.parent,
            other.group,
            other.status,
            other.merged_into,
        )


class UnitRef(NamedTuple):
    """An active unit as a listing needs it (who owes, who has sent): light enough to hold thousands."""

    code: str
    name: str
    kind: str
    group: str | None


class ActiveUnits:
    """The active units by code, with what the province-wide views ask of them worked out once: the
    database keeps this between requests until a unit changes, so tens of thousands of units are neither
    read nor grouped again for each /tinhtrang."""

    def __init__(self, refs: Sequence[UnitRef]) -> None:
        self.refs = tuple(refs)

    @cached_property
    def names(self) -> dict[str, str]:
        return {u.code: u.name for u in self.refs}

    @cached_property
    def by_group(self) -> dict[str, frozenset[str]]:
        """Cluster/block code ("" for units in none) -> the codes of its units."""
        return {group: frozenset(codes) for group, codes in group_codes(self.refs).items()}


def group_codes(units: Iterable[UnitRef]) -> dict[str, set[str]]:
    """Cluster/block code ("" for units in none) -> the codes of its units."""
    groups: dict[str, set[str]] = {}
    for unit in units:
        groups.setdefault(unit.group or "", set()).add(unit.code)
    return groups


class UnitFields(BaseModel):
    """What one import row or config entry says a unit should be."""

    code: str
    name: str
    kind: str
    parent: str | None = None
    group: str | None = None
    status: UnitStatus = UnitStatus.ACTIVE
    merged_into: str | None = None


CAMPAIGN_SOURCE = "campaign"


def campaign_changes(configured: list[UnitFields], current: list[Unit]) -> list[UnitFields]:
    """The unit versions to record so the database follows the campaign file.

    The file owns the units it introduced until another source (a CSV import) records a version of one:
    from then on the file no longer changes it, so a restart never undoes an import. A unit the file
    introduced and no longer lists is retired, never deleted."""
    by_code = {u.code: u for u in current}
    listed = {f.code for f in configured}
    changes: list[UnitFields] = []
    for fields in configured:
        unit = by_code.get(fields.code)
        if unit is None or (unit.source == CAMPAIGN_SOURCE and not unit.same_as(fields)):
            changes.append(fields)
    for unit in current:
        if unit.source == CAMPAIGN_SOURCE and unit.code not in listed and unit.status is UnitStatus.ACTIVE:
            changes.append(unit.fields().model_copy(update={"status": UnitStatus.RETIRED}))
    return changes


def find_cycle(parents: dict[str, str | None]) -> list[str] | None:
    """A chain of codes that leads back to itself through `parent`, if there is one."""
    for start in parents:
        seen: list[str] = []
        code: str | None = start
        while code is not None and code in parents:
            if code in seen:
                return [*seen[seen.index(code) :], code]
            seen.append(code)
            code = parents[code]
    return None


def grouped_tree_lines(units: Iterable[Unit], groups: Iterable[tuple[str, str]]) -> list[str]:
    """The tree under the clusters and blocks (code, name) the units belong to, in the order given, then the
    units in none: a province's units mostly have no parent since 2025, so the groups are the tree."""
    members: dict[str | None, list[Unit]] = {}
    for unit in units:
        members.setdefault(unit.group, []).append(unit)
    lines: list[str] = []
    named = dict(groups)
    for code in [*named, *sorted(g for g in members if g is not None and g not in named), None]:
        found = members.get(code)
        if not found:
            continue
        heading = f"{code}  {named.get(code, code)}" if code else "(no cluster or block)"
        lines.append(f"{heading} — {len(found)}")
        lines += [f"  {line}" for line in tree_lines(found)]
    return lines


def tree_lines(units: Iterable[Unit]) -> list[str]:
    """The hierarchy as indented lines, children under parents, each level sorted by name."""
    by_parent: dict[str | None, list[Unit]] = {}
    known = {u.code for u in units}
    for unit in units:
        parent = unit.parent if unit.parent in known else None
        by_parent.setdefault(parent, []).append(unit)
    lines: list[str] = []

    def walk(parent: str | None, depth: int) -> None:
        for unit in sorted(by_parent.get(parent, []), key=lambda u: u.name):
            status = (
                "" if unit.active else f" [{unit.status.value}{' → ' + unit.merged_into if unit.merged_into else ''}]"
            )
            group = f" ({unit.group})" if unit.group else ""
            lines.append(f"{'  ' * depth}{unit.code}  {unit.name}{group}{status}")
            walk(unit.code, depth + 1)

    walk(None, 0)
    return lines
