"""Checking a CSV of units against what the database holds: what would change, or why it cannot."""

from __future__ import annotations

import csv
import io
import re

from pydantic import BaseModel

from bot.domain.units import Unit, UnitFields, UnitStatus, find_cycle

COLUMNS = ("code", "name", "kind", "parent", "group", "status", "merged_into")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class ImportPlan(BaseModel):
    new: list[UnitFields] = []
    changed: list[tuple[Unit, UnitFields]] = []
    unchanged: int = 0
    errors: list[str] = []


def plan_import(text: str, current: list[Unit], groups: set[str]) -> ImportPlan:
    """What importing this CSV would do. Errors name the CSV row (the header is row 1)."""
    plan = ImportPlan()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in ("code", "name", "kind") if c not in header]
    if missing:
        plan.errors.append(f"row 1: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
        return plan
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        plan.errors.append(f"row 1: unknown column(s) {', '.join(unknown)}; expected {', '.join(COLUMNS)}")
        return plan
    existing = {u.code: u for u in current}
    rows: dict[str, tuple[int, UnitFields]] = {}
    for number, raw in enumerate(reader, start=2):
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k}
        code = row.get("code", "").upper()
        problems = []
        if not _CODE.match(code):
            problems.append(f"bad code {row.get('code', '')!r} (letters, digits, - and _, at most 32)")
        if not 2 <= len(row.get("name", "")) <= 200:
            problems.append("name must be 2 to 200 characters")
        if not row.get("kind"):
            problems.append("kind is empty")
        status_text = row.get("status") or "active"
        if status_text not in {s.value for s in UnitStatus}:
            problems.append(f"status must be active, merged or retired, not {status_text!r}")
            status_text = "active"
        group = row.get("group") or None
        if group is not None and group not in groups:
            problems.append(f"unknown cluster/block {group!r}")
        if code in rows:
            problems.append(f"duplicate code {code} (first on row {rows[code][0]})")
        if problems:
            plan.errors.extend(f"row {number}: {p}" for p in problems)
            continue
        rows[code] = (
            number,
            UnitFields(
                code=code,
                name=row["name"],
                kind=row["kind"],
                parent=(row.get("parent") or "").upper() or None,
                group=group,
                status=UnitStatus(status_text),
                merged_into=(row.get("merged_into") or "").upper() or None,
            ),
        )
    known = set(existing) | set(rows)
    for code, (number, fields) in rows.items():
        if fields.parent is not None and fields.parent not in known:
            plan.errors.append(f"row {number}: unknown parent {fields.parent}")
        if fields.parent == code:
            plan.errors.append(f"row {number}: a unit cannot be its own parent")
        if fields.status is UnitStatus.MERGED and (fields.merged_into is None or fields.merged_into not in known):
            plan.errors.append(f"row {number}: a merged unit needs merged_into naming a known unit")
    parents: dict[str, str | None] = {code: unit.parent for code, unit in existing.items()}
    parents.update({code: fields.parent for code, (_, fields) in rows.items()})
    cycle = find_cycle(parents)
    if cycle:
        plan.errors.append(
            f"row {rows[cycle[0]][0] if cycle[0] in rows else '?'}: parents form a cycle: {' → '.join(cycle)}"
        )
    if plan.errors:
        return plan
    for code, (_, fields) in rows.items():
        unit = existing.get(code)
        if unit is None:
            plan.new.append(fields)
        elif unit.same_as(fields):
            plan.unchanged += 1
        else:
            plan.changed.append((unit, fields))
    return plan


def describe_change(before: Unit, after: UnitFields) -> str:
    parts = []
    for label, old, new in (
        ("name", before.name, after.name),
        ("kind", before.kind, after.kind),
        ("parent", before.parent, after.parent),
        ("group", before.group, after.group),
        ("status", before.status.value, after.status.value),
        ("merged_into", before.merged_into, after.merged_into),
    ):
        if old != new:
            parts.append(f"{label}: {old or '-'} → {new or '-'}")
    return "; ".join(parts)
