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
import itertools
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from unicodedata import is_normalized
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bot.conversation.text import clean_text
from bot.domain.campaign import Indicator
from bot.domain.export_rows import ExportScope, ReportRow, UnreportedRow
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


# One batch of the reader's items -> the sheet's rows, each keyed by the sheet's headers.
Records = Callable[[list[Any]], list[dict[str, Value]]]


@dataclass
class SheetPlan:
    """One sheet: its title, its columns, the reader's batches of items and how a batch of them becomes
    rows, given the headers; `rows` counts what was written."""

    title: str
    columns: Sequence[Column]
    batches: AsyncIterator[list[Any]]
    records: Callable[[list[str]], Records]
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
    # cannot hold. Text that is all printable holds none of them (they are not printable), so that text
    # only needs to be NFC already to be left as it is: most cells, without the regular expressions.
    if text.isprintable() and is_normalized("NFC", text) and len(text) <= TEXT_MAX:
        return text
    return clean_text(text)[:TEXT_MAX]


class _LocalTimes:
    """Stored UTC text -> the campaign's local time without a zone, as spreadsheets hold times. The offset
    is looked up once per hour of UTC met (an hour holds no change of offset unless the zone's rules change
    within it, which is checked): a province's year is hundreds of thousands of times."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self.offsets: dict[str, dt.timedelta | None] = {}

    def __call__(self, stored: str) -> dt.datetime:
        if not stored.endswith("Z"):
            return dt.datetime.fromisoformat(stored).astimezone(self.tz).replace(tzinfo=None)
        utc = dt.datetime.fromisoformat(stored[:-1])
        hour = stored[:13]
        try:
            offset = self.offsets[hour]
        except KeyError:
            offset = self.offsets[hour] = self._offset(utc)
        if offset is None:
            return utc.replace(tzinfo=dt.UTC).astimezone(self.tz).replace(tzinfo=None)
        return utc + offset

    def _offset(self, utc: dt.datetime) -> dt.timedelta | None:
        start = utc.replace(minute=0, second=0, microsecond=0, tzinfo=dt.UTC)
        first = start.astimezone(self.tz).utcoffset()
        last = (start + dt.timedelta(hours=1, microseconds=-1)).astimezone(self.tz).utcoffset()
        return first if first == last else None


def _pulled(plan: SheetPlan, loop: asyncio.AbstractEventLoop) -> Iterator[list[dict[str, Value]]]:
    """The sheet's rows in batches, for the writer's thread: each batch is read on the event loop, and
    turned into rows here, off the loop. A sheet with no rows gets a row of blanks: a sheet takes its
    header from its first row, so that writes the header alone."""

    async def following() -> list[Any] | None:
        try:
            return await anext(plan.batches)
        except StopAsyncIteration:
            return None

    headers = plan.headers
    records = plan.records(headers)
    while (batch := asyncio.run_coroutine_threadsafe(following(), loop).result()) is not None:
        plan.rows += len(batch)
        yield records(batch)
    if not plan.rows:
        yield [dict.fromkeys(headers)]


def _write(plans: list[SheetPlan], path: Path, loop: asyncio.AbstractEventLoop) -> None:
    from rustpy_xlsxwriter import Format, write_worksheets

    def records(plan: SheetPlan) -> Iterator[dict[str, Value]]:
        # Chained in C: the writer pulls each row without a Python frame of ours per row.
        return itertools.chain.from_iterable(_pulled(plan, loop))

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
            lambda headers: _nominations(words, headers, with_contacts),
        ),
        SheetPlan(
            t("export.xlsx.sheet_reports"),
            report_columns,
            reader.reports(scope),
            lambda headers: _reports(words, headers, indicators),
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
            lambda headers: _unreported(words, headers),
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
        self.local_time = _LocalTimes(wording.campaign.campaign.tz)


def _nominations(words: _Words, headers: list[str], with_contacts: bool) -> Records:
    """Rows of the nominations sheet from the database's rows (columns as ExportReader.nominations says)."""
    clean, local, text, unit, yes_no = words.clean, words.local_time, words.text, words.unit, words.yes_no
    status, kind, category, citizen = words.status, words.kind, words.category, words.citizen
    h = headers

    def records(rows: list[Any]) -> list[dict[str, Value]]:
        # One dict display per row, keyed in the headers' order: no call of ours per row but the cells'.
        return [
            {
                h[0]: clean(r[0]),
                h[1]: local(r[1]),
                h[2]: status(r[2]),
                h[3]: kind(r[3]),
                h[4]: clean(r[4]),
                h[5]: text(r[5]),
                h[6]: unit(r[5]),
                h[7]: category(r[6]),
                h[8]: clean(r[7]),
                h[9]: r[8],
                h[10]: unit(r[9]) if r[9] else citizen,
                h[11]: yes_no(bool(r[11])),
                h[12]: local(r[12]) if r[12] else None,
                h[13]: clean(r[13]) if r[13] else None,
                h[14]: clean(r[14]) if r[14] else None,
            }
            for r in rows
        ]

    if not with_contacts:
        return records

    def with_nominator(rows: list[Any]) -> list[dict[str, Value]]:
        done = records(rows)
        for row, r in zip(done, rows, strict=True):
            row[h[15]] = clean(r[15]) if r[15] else None
            row[h[16]] = clean(r[16]) if r[16] else None
        return done

    return with_nominator


def _reports(words: _Words, headers: list[str], indicators: list[tuple[str, Indicator]]) -> Records:
    clean, local, text, yes_no = words.clean, words.local, words.text, words.yes_no
    period, filed_unit, group, area = words.period, words.filed_unit, words.group, words.area
    h = headers
    # Each area's figures go in its own indicators' columns; the other areas' columns stay blank.
    blanks = dict.fromkeys(h[10:])
    figures: dict[str, list[tuple[str, str]]] = {}
    for header, (area_code, indicator) in zip(h[10:], indicators, strict=True):
        figures.setdefault(area_code, []).append((header, indicator.code))

    def records(rows: list[ReportRow]) -> list[dict[str, Value]]:
        done: list[dict[str, Value]] = []
        for r in rows:
            row: dict[str, Value] = {
                h[0]: clean(r.reference),
                h[1]: period(r.period_code),
                h[2]: text(r.unit_code),
                h[3]: filed_unit(r.unit_code, r.unit_name),
                h[4]: group(r.group_code),
                h[5]: r.version,
                h[6]: local(r.submitted_at),
                h[7]: yes_no(r.late),
                h[8]: area(r.area_code),
                h[9]: clean(r.narrative),
            }
            row.update(blanks)
            values = r.values
            for header, code in figures.get(r.area_code, ()):
                row[header] = values.get(code)
            done.append(row)
        return done

    return records


def _unreported(words: _Words, headers: list[str]) -> Records:
    def records(rows: list[UnreportedRow]) -> list[dict[str, Value]]:
        return [
            dict(
                zip(
                    headers,
                    [
                        words.period(u.period_code),
                        u.deadline,
                        words.text(u.unit_code),
                        words.text(u.unit_name),
                        words.group(u.group_code),
                    ],
                    strict=True,
                )
            )
            for u in rows
        ]

    return records
