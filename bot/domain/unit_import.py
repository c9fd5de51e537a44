"""Checking a CSV of units against what the database holds: what would change, or why it cannot.

Columns: code, name, kind (required), parent, group, status (active, merged, retired), merged_into. A unit
already known keeps its value for an optional column the file does not have, so a file of codes and new
names renames without touching the hierarchy. The official list of administrative units imports with its
own headers (see unit_csv). Errors name the file's row (the header is row 1 after any "#" notes).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata

from pydantic import BaseModel

from bot.conversation.text import has_control_characters
from bot.domain.unit_csv import column_for, is_official, kind_for, strip_notes
from bot.domain.units import Unit, UnitFields, UnitStatus, find_cycle

REQUIRED = ("code", "name", "kind")
COLUMNS = (*REQUIRED, "parent", "group", "status", "merged_into")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


# A cell starting with one of these runs as a formula when the file is opened in a spreadsheet again.
FORMULA_STARTS = ("=", "+", "-", "@")


class ImportPlan(BaseModel):
    new: list[UnitFields] = []
    changed: list[tuple[Unit, UnitFields]] = []
    unchanged: int = 0
    errors: list[str] = []
    # What the reader noticed and coped with (a file separated by ";"), for the operator to know.
    notes: list[str] = []


def decode_csv(raw: bytes) -> str:
    """The file's text, or a ValueError saying where it stops being UTF-8 and how to save it so."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ValueError(
            f"row {line}: not UTF-8 (byte 0x{raw[exc.start]:02x} at byte {exc.start}); save the file as "
            '"CSV UTF-8" (in Excel: Save As, then CSV UTF-8 (Comma delimited)) and import it again'
        ) from None


def _name_problem(name: str) -> str | None:
    if has_control_characters(name):
        bad = next(ch for ch in name if has_control_characters(ch))
        return f"name holds a control character (U+{ord(bad):04X}); remove it"
    if name.startswith(FORMULA_STARTS):
        return f"name starts with {name[0]!r}, which a spreadsheet would run as a formula"
    return None


def plan_import(text: str, current: list[Unit], groups: set[str]) -> ImportPlan:
    """What importing this CSV would do, or every problem that stops it (nothing is done then)."""
    plan = ImportPlan()
    body, skipped = strip_notes(text)
    first_line = body.split("\n", 1)[0]
    delimiter = ","
    if ";" in first_line and "," not in first_line:
        # Excel saves "CSV" with semicolons where the comma is the decimal mark (Vietnamese settings do).
        delimiter = ";"
        plan.notes.append(f"row {skipped + 1}: the columns are separated by ';' and were read so")
    # strict: an unclosed quote is an error rather than the rest of the file read into one cell.
    reader = csv.DictReader(io.StringIO(body), restkey="_extra", delimiter=delimiter, strict=True)
    raw_header = [h.strip() for h in reader.fieldnames or []]
    official = is_official(raw_header)
    # An ignored official column is read under a name no row lookup uses.
    header = [column_for(h) or f"_ignored_{i}" for i, h in enumerate(raw_header)]
    reader.fieldnames = header
    header = [h for h in header if not h.startswith("_ignored_")]
    first = skipped + 1
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        plan.errors.append(f"row {first}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
        return plan
    unknown = [h for h in header if h not in COLUMNS]
    if unknown:
        plan.errors.append(f"row {first}: unknown column(s) {', '.join(unknown)}; expected {', '.join(COLUMNS)}")
        return plan
    existing = {u.code: u for u in current}
    rows: dict[str, tuple[int, UnitFields]] = {}
    # The file's line where the row being read starts: a quoted cell may run over several lines.
    starts_at = first + 1
    try:
        for number, raw in enumerate(reader, start=first + 1):
            starts_at = reader.line_num + skipped + 1
            if raw.get("_extra"):
                plan.errors.append(f"row {number}: more values than the {len(raw_header)} columns of the header")
                continue
            row = {k: (v or "").strip() for k, v in raw.items() if k in COLUMNS and isinstance(v, str | None)}
            if official and row.get("kind"):
                row["kind"] = kind_for(row["kind"])
            code = row.get("code", "").upper()
            problems = []
            if not _CODE.match(code):
                problems.append(f"bad code {row.get('code', '')!r} (letters, digits, - and _, at most 32)")
            row["name"] = unicodedata.normalize("NFC", row.get("name", ""))
            if not 2 <= len(row["name"]) <= 200:
                problems.append("name must be 2 to 200 characters")
            if (name_problem := _name_problem(row["name"])) is not None:
                problems.append(name_problem)
            if not row.get("kind"):
                problems.append("kind is empty")
            if code in rows:
                problems.append(f"duplicate code {code} (first on row {rows[code][0]})")
            before = existing.get(code)
            fields = _fields(row, header, code, before)
            if isinstance(fields, str):
                problems.append(fields)
            elif fields.group is not None and fields.group not in groups:
                problems.append(f"unknown cluster/block {fields.group!r}")
            if problems or isinstance(fields, str):
                plan.errors.extend(f"row {number}: {p}" for p in problems)
                continue
            rows[code] = (number, fields)
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            plan.errors.append(f'row {starts_at}: a quote (") opened in this row is never closed')
        else:
            plan.errors.append(f"row {starts_at}: not readable as CSV: {exc}")
        return plan
    known = set(existing) | set(rows)
    for code, (number, fields) in rows.items():
        if fields.parent == code:
            plan.errors.append(f"row {number}: a unit cannot be its own parent")
        elif fields.parent is not None and fields.parent not in known:
            plan.errors.append(f"row {number}: unknown parent {fields.parent}")
        if fields.status is UnitStatus.MERGED:
            if fields.merged_into == code:
                plan.errors.append(f"row {number}: a unit cannot be merged into itself")
            elif fields.merged_into is None or fields.merged_into not in known:
                plan.errors.append(f"row {number}: a merged unit needs merged_into naming a known unit")
        elif fields.merged_into is not None:
            plan.errors.append(f"row {number}: merged_into is only for a unit whose status is merged")
    parents: dict[str, str | None] = {code: unit.parent for code, unit in existing.items()}
    parents.update({code: fields.parent for code, (_, fields) in rows.items() if fields.parent != code})
    cycle = find_cycle(parents)
    if cycle:
        # Name a row of this file in the loop: the file is what closed it.
        where = min((rows[c][0] for c in cycle if c in rows), default=None)
        plan.errors.append(f"row {where or '?'}: parents form a cycle: {' → '.join(cycle)}")
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


def _fields(row: dict[str, str], header: list[str], code: str, before: Unit | None) -> UnitFields | str:
    """The unit the row describes, or what is wrong with it. Optional columns absent from the file keep
    the known unit's value."""

    def column(name: str, known: str | None) -> str | None:
        if name not in header:
            return known
        return row.get(name) or None

    status_text = column("status", before.status.value if before else None) or UnitStatus.ACTIVE.value
    if status_text not in {s.value for s in UnitStatus}:
        return f"status must be active, merged or retired, not {status_text!r}"
    parent = column("parent", before.parent if before else None)
    merged_into = column("merged_into", before.merged_into if before else None)
    return UnitFields(
        code=code,
        name=row["name"],
        kind=row["kind"],
        parent=parent.upper() if parent else None,
        group=column("group", before.group if before else None),
        status=UnitStatus(status_text),
        merged_into=merged_into.upper() if merged_into else None,
    )


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
