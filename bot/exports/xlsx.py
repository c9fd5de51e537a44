"""The XLSX workbook: nominations, reports (one row per unit and content area, indicators as columns) and
the units that have not reported. Each sheet has a bold frozen header row, set column widths and real dates.

Written by rustpy-xlsxwriter (the Rust rust_xlsxwriter library) in its constant-memory mode: each sheet is
a generator of rows that the writer pulls from a worker thread, and the generator pulls the next batch from
the database reader on the event loop. So memory stays flat however many rows there are, and a large export
does not stall the chat.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from bot.conversation.text import clean_text
from bot.domain.campaign import Indicator
from bot.domain.export_rows import ExportScope, NominationRow, ReportRow, UnreportedRow
from bot.exports.wording import Wording
from bot.storage.exports import ExportReader

DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"
TEXT_MAX = 32_000  # a cell holds 32,767 characters
HEADER_FILL = "#DDEBF7"

Kind = Literal["text", "datetime", "date", "int", "number"]
Value = str | int | float | dt.datetime | dt.date | None


@dataclass(frozen=True)
class Column:
    header: str
    width: float
    kind: Kind = "text"


@dataclass
class SheetPlan:
    """One sheet: its title, its columns, the reader's batches of items and how an item becomes a row;
    `rows` counts what was written."""

    title: str
    columns: Sequence[Column]
    batches: AsyncIterator[list[Any]]
    row: Callable[[Any], Sequence[Value]]
    rows: int = 0

    @property
    def headers(self) -> list[str]:
        # The writer keys each row by header: a header met twice gets a mark so that neither column is lost.
        seen: set[str] = set()
        out = []
        for column in self.columns:
            header = _clean(column.header)
            while header in seen:
                header += "\u2009"
            seen.add(header)
            out.append(header)
        return out


def _clean(text: str) -> str:
    # clean_text drops control characters, lone surrogates and non-characters such as U+FFFE, which XML
    # cannot hold.
    return clean_text(text)[:TEXT_MAX]


def _pulled(plan: SheetPlan, loop: asyncio.AbstractEventLoop) -> Iterator[Sequence[Value]]:
    """The sheet's rows, for the writer's thread: each batch is read on the event loop, and turned into
    rows here, off the loop."""

    async def following() -> list[Any] | None:
        try:
            return await anext(plan.batches)
        except StopAsyncIteration:
            return None

    while (batch := asyncio.run_coroutine_threadsafe(following(), loop).result()) is not None:
        plan.rows += len(batch)
        for item in batch:
            yield plan.row(item)


def _write(plans: list[SheetPlan], path: Path, loop: asyncio.AbstractEventLoop) -> None:
    from rustpy_xlsxwriter import Format, write_worksheets

    def records(plan: SheetPlan) -> Iterator[dict[str, Value]]:
        headers = plan.headers
        empty = True
        for values in _pulled(plan, loop):
            empty = False
            yield dict(zip(headers, values, strict=True))
        if empty:
            # A sheet takes its header from its first row: a row of blanks writes the header alone.
            yield dict.fromkeys(headers)

    header = Format().set_bold().set_background_color(HEADER_FILL).set_text_wrap().set_align("top")
    date = Format().set_num_format(DATE_FORMAT)
    titles = [plan.title[:31] for plan in plans]
    write_worksheets(
        [(title, records(plan)) for title, plan in zip(titles, plans, strict=True)],
        str(path),
        freeze_panes={"general": {"row": 1, "col": 0}},
        datetime_format=DATETIME_FORMAT,
        header_format=dict.fromkeys(titles, header),
        column_widths={t: [c.width for c in p.columns] for t, p in zip(titles, plans, strict=True)},
        column_formats={
            t: {h: date for h, c in zip(p.headers, p.columns, strict=True) if c.kind == "date"}
            for t, p in zip(titles, plans, strict=True)
        },
    )


def _save(plans: list[SheetPlan], partial: Path, path: Path, loop: asyncio.AbstractEventLoop) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    _write(plans, partial, loop)
    partial.replace(path)


class XlsxSummary(BaseModel):
    nominations: int
    reports: int
    unreported: int


async def write_xlsx(
    reader: ExportReader, scope: ExportScope, wording: Wording, path: Path, *, with_contacts: bool = False
) -> XlsxSummary:
    """Write the workbook for the scope to `path` (through a temporary file, so a half-written workbook is
    never left under the name)."""
    t = wording.t
    words = _Words(wording)
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
    missing: list[UnreportedRow] = []

    async def unreported() -> AsyncIterator[list[UnreportedRow]]:
        # Read after the other two sheets, in the same read transaction.
        missing.extend(await reader.unreported(scope, await reader.active_units()))
        yield missing

    plans = [
        SheetPlan(
            t("export.xlsx.sheet_nominations"),
            _nomination_columns(wording, with_contacts),
            reader.nominations(scope, with_contacts=with_contacts),
            lambda n: _nomination(words, n, with_contacts),
        ),
        SheetPlan(
            t("export.xlsx.sheet_reports"),
            report_columns,
            reader.reports(scope),
            lambda r: _report(words, r, indicators),
        ),
        SheetPlan(
            t("export.xlsx.sheet_unreported"),
            [
                Column(t("export.xlsx.period"), 24),
                Column(t("export.xlsx.deadline"), 12, "date"),
                Column(t("export.xlsx.unit_code"), 14),
                Column(t("export.xlsx.unit"), 30),
                Column(t("export.xlsx.group"), 26),
            ],
            unreported(),
            lambda u: _unreported(words, u),
        ),
    ]
    partial = path.with_name(path.name + ".part")
    await asyncio.to_thread(_save, plans, partial, path, asyncio.get_running_loop())
    # A unit missing two periods is one unit that has not reported: units are counted, not unit × period rows.
    units_missing = len({u.unit_code for u in missing})
    return XlsxSummary(nominations=plans[0].rows, reports=plans[1].rows, unreported=units_missing)


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


def _cleaned(look_up: Callable[..., str]) -> Callable[..., str]:
    """A look-up whose answers are cleaned, each worked out once per value met in one export: a province's
    rows repeat a few dozen statuses, categories, units and periods."""
    return functools.cache(lambda *key: _clean(look_up(*key)))


class _Words:
    """The words of one export's cells. What people typed (names, deeds, accounts) was cleaned at the door;
    it is cleaned again here for rows older than that, like every other text of the file."""

    def __init__(self, wording: Wording) -> None:
        self.local = wording.local
        self.clean = _clean
        self.status = _cleaned(wording.status)
        self.category = _cleaned(wording.category)
        self.unit = _cleaned(wording.unit)
        self.filed_unit = _cleaned(wording.filed_unit)
        self.group = _cleaned(wording.group)
        self.period = _cleaned(wording.period)
        self.area = _cleaned(wording.area)
        self.yes_no = _cleaned(wording.yes_no)
        self.kind = _cleaned(lambda kind: wording.t(f"export.nominee_kind.{kind}"))
        self.text = _cleaned(str)
        self.citizen = _clean(wording.t("export.citizen"))


def _nomination(words: _Words, n: NominationRow, with_contacts: bool) -> list[Value]:
    clean = words.clean
    row: list[Value] = [
        clean(n.reference),
        words.local(n.created_at),
        words.status(n.status),
        words.kind(n.nominee_kind),
        clean(n.nominee_name),
        words.text(n.unit_code),
        words.unit(n.unit_code),
        words.category(n.category_code),
        clean(n.deed),
        n.evidence_count,
        words.unit(n.on_behalf_of_unit) if n.on_behalf_of_unit else words.citizen,
        words.yes_no(n.for_publication),
        words.local(n.consent_at) if n.consent_at else None,
        clean(n.merged_into) if n.merged_into else None,
        clean(n.duplicate_of) if n.duplicate_of else None,
    ]
    if with_contacts:
        row += [
            clean(n.nominator_name) if n.nominator_name else None,
            clean(n.nominator_phone) if n.nominator_phone else None,
        ]
    return row


def _report(words: _Words, r: ReportRow, indicators: list[tuple[str, Indicator]]) -> list[Value]:
    row: list[Value] = [
        words.clean(r.reference),
        words.period(r.period_code),
        words.text(r.unit_code),
        words.filed_unit(r.unit_code, r.unit_name),
        words.group(r.group_code),
        r.version,
        words.local(r.submitted_at),
        words.yes_no(r.late),
        words.area(r.area_code),
        words.clean(r.narrative),
    ]
    row += [r.values.get(i.code) if area == r.area_code else None for area, i in indicators]
    return row


def _unreported(words: _Words, u: UnreportedRow) -> list[Value]:
    return [
        words.period(u.period_code),
        u.deadline,
        words.text(u.unit_code),
        words.text(u.unit_name),
        words.group(u.group_code),
    ]
