"""The XLSX workbook: nominations, reports (one row per unit and content area, indicators as columns) and
the units that have not reported. Each sheet has a frozen header row, set column widths and real dates.

Written in openpyxl's write-only mode, batch by batch as the rows are read, so memory stays flat however
many rows there are; the writing runs in a worker thread, so a large export does not stall the chat.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeVar

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from pydantic import BaseModel

from bot.conversation.text import clean_text
from bot.domain.campaign import Indicator
from bot.domain.export_rows import ExportScope, NominationRow, ReportRow, UnreportedRow
from bot.exports.wording import Wording
from bot.storage.exports import ExportReader

MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"
TEXT_MAX = 32_000  # a cell holds 32,767 characters

Kind = Literal["text", "datetime", "date", "int", "number"]
Value = str | int | float | dt.datetime | dt.date | None
T = TypeVar("T")


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: Kind = "text"


class Sheet:
    """One sheet being written: widths and the frozen header set before the first row, as write-only
    mode requires."""

    def __init__(self, workbook: Workbook, title: str, columns: Sequence[Column]) -> None:
        sheet = workbook.create_sheet(title=title[:31])
        assert isinstance(sheet, WriteOnlyWorksheet)
        self.sheet = sheet
        self.kinds = [c.kind for c in columns]
        # The stubs leave it out, but write-only sheets keep column widths (written before the rows).
        widths = sheet.column_dimensions  # type: ignore[attr-defined]
        for index, column in enumerate(columns, start=1):
            widths[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        fill = PatternFill("solid", fgColor="DDEBF7")
        wrap = Alignment(wrap_text=True, vertical="top")
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=_clean(column.header))
            cell.font, cell.fill, cell.alignment = bold, fill, wrap
            header.append(cell)
        sheet.append(header)
        self.rows = 0

    def append(self, rows: Sequence[Sequence[Value]]) -> None:
        for values in rows:
            self.sheet.append([self._cell(kind, value) for kind, value in zip(self.kinds, values, strict=True)])
        self.rows += len(rows)

    def append_all(self, items: Sequence[T], row: Callable[[T], Sequence[Value]]) -> None:
        self.append([row(item) for item in items])

    def _cell(self, kind: Kind, value: Value) -> object:
        if value is None:
            return None
        if isinstance(value, dt.date):
            moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
            cell = WriteOnlyCell(self.sheet, value=moment)
            cell.number_format = DATETIME_FORMAT if kind == "datetime" else DATE_FORMAT
            return cell
        if isinstance(value, str):
            text = _clean(value)
            if text.startswith("="):
                # What a person typed is never run as a formula when the file is opened.
                cell = WriteOnlyCell(self.sheet, value=text)
                cell.data_type = "s"
                return cell
            return text
        return value


def _clean(text: str) -> str:
    # clean_text also drops what openpyxl's own pattern misses (U+FFFE, direction overrides).
    return ILLEGAL_CHARACTERS_RE.sub("", clean_text(text))[:TEXT_MAX]


class XlsxSummary(BaseModel):
    nominations: int
    reports: int
    unreported: int


async def write_xlsx(
    reader: ExportReader, scope: ExportScope, wording: Wording, path: Path, *, with_contacts: bool = False
) -> XlsxSummary:
    """Write the workbook for the scope to `path` (through a temporary file, so a half-written workbook is
    never left under the name). Rows are turned into cells in a worker thread, a batch at a time."""
    t = wording.t
    workbook = Workbook(write_only=True)
    nominations = Sheet(workbook, t("export.xlsx.sheet_nominations"), _nomination_columns(wording, with_contacts))
    async for batch in reader.nominations(scope, with_contacts=with_contacts):
        await asyncio.to_thread(nominations.append_all, batch, lambda n: _nomination(wording, n, with_contacts))

    indicators = [(area.code, i) for area in wording.campaign.content_areas for i in area.indicators]
    report_columns = [
        Column(t("export.xlsx.reference"), 30),
        Column(t("export.xlsx.period"), 24),
        Column(t("export.xlsx.unit_code"), 14),
        Column(t("export.xlsx.unit"), 30),
        Column(t("export.xlsx.group"), 26),
        Column(t("export.xlsx.version"), 9, "int"),
        Column(t("export.xlsx.submitted_at"), 17, "datetime"),
        Column(t("export.xlsx.late"), 9),
        Column(t("export.xlsx.area"), 40),
        Column(t("export.xlsx.narrative"), 60),
        *(Column(f"{i.name.get(wording.lang)} ({i.unit.get(wording.lang)})", 18, "number") for _, i in indicators),
    ]
    reports = Sheet(workbook, t("export.xlsx.sheet_reports"), report_columns)
    async for report_batch in reader.reports(scope):
        await asyncio.to_thread(reports.append_all, report_batch, lambda r: _report(wording, r, indicators))

    unreported = Sheet(
        workbook,
        t("export.xlsx.sheet_unreported"),
        [
            Column(t("export.xlsx.period"), 24),
            Column(t("export.xlsx.deadline"), 12, "date"),
            Column(t("export.xlsx.unit_code"), 14),
            Column(t("export.xlsx.unit"), 30),
            Column(t("export.xlsx.group"), 26),
        ],
    )
    missing = await reader.unreported(scope, await reader.active_units())
    unreported.append([_unreported(wording, u) for u in missing])

    partial = path.with_name(path.name + ".part")
    await asyncio.to_thread(_save, workbook, partial, path)
    # A unit missing two periods is one unit that has not reported: units are counted, not unit × period rows.
    units_missing = len({u.unit_code for u in missing})
    return XlsxSummary(nominations=nominations.rows, reports=reports.rows, unreported=units_missing)


def _save(workbook: Workbook, partial: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(partial)
    partial.replace(path)


def _nomination_columns(wording: Wording, with_contacts: bool) -> list[Column]:
    t = wording.t
    columns = [
        Column(t("export.xlsx.reference"), 19),
        Column(t("export.xlsx.submitted_at"), 17, "datetime"),
        Column(t("export.xlsx.status"), 20),
        Column(t("export.xlsx.kind"), 11),
        Column(t("export.xlsx.nominee"), 28),
        Column(t("export.xlsx.unit_code"), 14),
        Column(t("export.xlsx.unit"), 30),
        Column(t("export.xlsx.category"), 40),
        Column(t("export.xlsx.deed"), 70),
        Column(t("export.xlsx.evidence"), 8, "int"),
        Column(t("export.xlsx.made_by"), 30),
        Column(t("export.xlsx.for_publication"), 12),
        Column(t("export.xlsx.consent"), 17, "datetime"),
        Column(t("export.xlsx.merged_into"), 19),
        Column(t("export.xlsx.duplicate_of"), 19),
    ]
    if with_contacts:
        columns += [Column(t("export.xlsx.nominator"), 26), Column(t("export.xlsx.phone"), 15)]
    return columns


def _nomination(wording: Wording, n: NominationRow, with_contacts: bool) -> list[Value]:
    made_by = wording.unit(n.on_behalf_of_unit) if n.on_behalf_of_unit else wording.t("export.citizen")
    row: list[Value] = [
        n.reference,
        wording.local(n.created_at),
        wording.status(n.status),
        wording.t(f"export.nominee_kind.{n.nominee_kind}"),
        n.nominee_name,
        n.unit_code,
        wording.unit(n.unit_code),
        wording.category(n.category_code),
        n.deed,
        n.evidence_count,
        made_by,
        wording.yes_no(n.for_publication),
        wording.local(n.consent_at) if n.consent_at else None,
        n.merged_into,
        n.duplicate_of,
    ]
    if with_contacts:
        row += [n.nominator_name, n.nominator_phone]
    return row


def _report(wording: Wording, r: ReportRow, indicators: list[tuple[str, Indicator]]) -> list[Value]:
    row: list[Value] = [
        r.reference,
        wording.period(r.period_code),
        r.unit_code,
        wording.filed_unit(r.unit_code, r.unit_name),
        wording.group(r.group_code),
        r.version,
        wording.local(r.submitted_at),
        wording.yes_no(r.late),
        wording.area(r.area_code),
        r.narrative,
    ]
    row += [r.values.get(i.code) if area == r.area_code else None for area, i in indicators]
    return row


def _unreported(wording: Wording, u: UnreportedRow) -> list[Value]:
    return [wording.period(u.period_code), u.deadline, u.unit_code, u.unit_name, wording.group(u.group_code)]
