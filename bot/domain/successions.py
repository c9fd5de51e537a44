"""Merged and split units: who succeeded whom, read from a table of law, and what that means for units.

A row says a former unit (old_code) went, wholly or in part, into a new one (new_code) on a date, by a
legal text. A unit the database knows whose every row says "whole" into one other unit is merged into it:
its reports, nominations, representatives and reminders' state appear under the successor, while each
record keeps the unit version it was filed under. A former unit with "part" rows was split: where its
open items go is the secretariat's decision, asked once and recorded.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from enum import StrEnum

from pydantic import BaseModel

from bot.domain.unit_csv import read_rows
from bot.domain.units import Unit, UnitFields, UnitStatus

_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
COLUMNS = ("old_code", "old_name", "old_district", "new_code", "share", "effective", "legal_basis")


class Share(StrEnum):
    WHOLE = "whole"
    PART = "part"


class Succession(BaseModel):
    old_code: str
    old_name: str
    old_district: str | None = None
    new_code: str
    share: Share
    effective: dt.date
    legal_basis: str


class SuccessionPlan(BaseModel):
    rows: list[Succession] = []
    errors: list[str] = []


def plan_successions(text: str, known_units: set[str]) -> SuccessionPlan:
    """The rows of a succession table, or every problem that stops its import (errors name the row).
    Every successor must be a unit the database knows."""
    plan = SuccessionPlan()
    seen: dict[tuple[str, str], int] = {}
    for number, row in read_rows(text):
        problems: list[str] = []
        old_code = row.get("old_code", "").upper()
        new_code = row.get("new_code", "").upper()
        for label, code in (("old_code", old_code), ("new_code", new_code)):
            if not _CODE.match(code):
                problems.append(f"bad {label} {code!r}")
        if new_code and new_code not in known_units:
            problems.append(f"new_code {new_code} is not a known unit")
        if not 2 <= len(row.get("old_name", "")) <= 200:
            problems.append("old_name must be 2 to 200 characters")
        share = row.get("share", "")
        if share not in {s.value for s in Share}:
            problems.append(f"share must be whole or part, not {share!r}")
        try:
            effective = dt.date.fromisoformat(row.get("effective", ""))
        except ValueError:
            problems.append(f"effective must be a date YYYY-MM-DD, not {row.get('effective', '')!r}")
            effective = dt.date.min
        if not row.get("legal_basis"):
            problems.append("legal_basis is empty")
        if (old_code, new_code) in seen:
            problems.append(f"{old_code} → {new_code} is already on row {seen[(old_code, new_code)]}")
        if problems:
            plan.errors.extend(f"row {number}: {p}" for p in problems)
            continue
        seen[(old_code, new_code)] = number
        plan.rows.append(
            Succession(
                old_code=old_code,
                old_name=row["old_name"],
                old_district=row.get("old_district") or None,
                new_code=new_code,
                share=Share(share),
                effective=effective,
                legal_basis=row["legal_basis"],
            )
        )
    by_old: dict[str, list[Succession]] = {}
    for s in plan.rows:
        by_old.setdefault(s.old_code, []).append(s)
    for code, rows in by_old.items():
        whole = [s for s in rows if s.share is Share.WHOLE]
        if whole and len(rows) > 1:
            plan.errors.append(f"{code}: a unit that went whole into one successor cannot have other successors")
    if not plan.rows and not plan.errors:
        plan.errors.append("no rows in the file")
    return plan


class Split(BaseModel):
    """A known unit whose parts went to several successors, and where its open items go if decided."""

    unit: Unit
    successors: list[str]
    assigned_to: str | None = None


def unit_changes(
    successions: Iterable[Succession], units: Iterable[Unit], assignments: Mapping[str, str], today: dt.date
) -> tuple[list[UnitFields], list[Split]]:
    """The unit versions to record so that merged units point at their successor (in force by `today`), and
    the splits the secretariat has still to decide. A unit whose code continues (old = new) is untouched."""
    by_old: dict[str, list[Succession]] = {}
    for s in successions:
        if s.effective <= today:
            by_old.setdefault(s.old_code, []).append(s)
    changes: list[UnitFields] = []
    pending: list[Split] = []
    for unit in units:
        rows = by_old.get(unit.code)
        if not rows or unit.status is not UnitStatus.ACTIVE:
            continue
        targets = sorted({s.new_code for s in rows})
        if len(targets) == 1 and rows[0].share is Share.WHOLE:
            target: str | None = targets[0]
        else:
            target = assignments.get(unit.code)
            if target is None:
                pending.append(Split(unit=unit, successors=targets))
                continue
        if target == unit.code:
            continue
        changes.append(unit.fields().model_copy(update={"status": UnitStatus.MERGED, "merged_into": target}))
    return changes, pending


def final_successors(merged: Mapping[str, str]) -> dict[str, str]:
    """Each merged unit's code → the unit that holds it now, following chains (A → B → C gives A → C);
    a loop (a data error) stops where it closes."""
    result: dict[str, str] = {}
    for start in merged:
        code, seen = start, {start}
        while code in merged and merged[code] not in seen:
            code = merged[code]
            seen.add(code)
        result[start] = code
    return result


def fold_reported(reported: dict[str, dict[str, bool]], successors: Mapping[str, str]) -> dict[str, dict[str, bool]]:
    """period → unit → late, with a merged unit's report counted for its successor (on time if either
    reported on time)."""
    if not successors:
        return reported
    return {period: fold_units(units, successors) for period, units in reported.items()}


def fold_sent_late(sent: set[str], late: set[str], successors: Mapping[str, str]) -> tuple[set[str], set[str]]:
    """The units that sent and those of them that were late, with a merged unit's report counted for its
    successor (on time if either reported on time)."""
    if not successors:
        return sent, late
    holders = {successors.get(code, code) for code in sent}
    in_time = {successors.get(code, code) for code in sent - late}
    return holders, holders - in_time


def fold_units(units: dict[str, bool], successors: Mapping[str, str]) -> dict[str, bool]:
    folded: dict[str, bool] = {}
    for code, late in units.items():
        holder = successors.get(code, code)
        folded[holder] = folded[holder] and late if holder in folded else late
    return folded
