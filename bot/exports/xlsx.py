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
import operator
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from unicodedata import is_normalized
from zoneinfo import ZoneInfo

from pydantic import BaseModel

from bot.conversation.text import clean_text
from bot.domain.campaign import Indicator
from bot.domain.export_rows import ExportScope, UnreportedRow
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


# The reader's batches -> the sheet's rows in batches, each row keyed by the sheet's headers.
Records = Callable[[Iterator[list[Any]]], Iterator[list[dict[str, Value]]]]


@dataclass
class SheetPlan:
    """One sheet: its title, its columns, the reader's batches of items and how they become rows, given the
    headers; `rows` counts what was written."""

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


def _plain(texts: list[str]) -> bool:
    """Whether no text of a column needs cleaning, asked of the whole column at once: joined by spaces, the
    texts are printable and NFC exactly when each one is (a space neither composes with a neighbour nor lets
    combining marks reorder across it), and a cell's limit needs checking one by one only past it."""
    joined = " ".join(texts)
    if not (joined.isprintable() and is_normalized("NFC", joined)):
        return False
    return len(joined) <= TEXT_MAX or max(map(len, texts)) <= TEXT_MAX


def _texts(column: Sequence[str]) -> Sequence[str]:
    """A column of text cells as _clean makes them: as it is, unless some cell needs cleaning."""
    return column if _plain(list(column)) else [_clean(text) for text in column]


def _optional_texts(column: Sequence[str | None]) -> Sequence[str | None]:
    """The same for a column whose empty cells hold nothing."""
    if "" not in column and _plain(list(filter(None, column))):
        return column
    return [_clean(text) if text else None for text in column]


_ENDS_Z = operator.methodcaller("endswith", "Z")
_HOUR = operator.itemgetter(slice(13))
_WITHOUT_Z = operator.itemgetter(slice(-1))


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

    def column(self, stored: Sequence[str]) -> Sequence[dt.datetime]:
        """A column of stored times at once, the same as one by one: when each is UTC text in an hour whose
        offset holds for all of it, mapped without a call of ours per time."""
        if not all(map(_ENDS_Z, stored)):
            return [self(value) for value in stored]
        hours = list(map(_HOUR, stored))
        if missing := set(hours).difference(self.offsets):
            # One time of each hour not met before works its offset out.
            firsts = dict(zip(hours, stored, strict=True))
            for hour in missing:
                self(firsts[hour])
        offsets = list(map(self.offsets.__getitem__, hours))
        if None in offsets:
            return [self(value) for value in stored]
        return list(map(operator.add, map(dt.datetime.fromisoformat, map(_WITHOUT_Z, stored)), offsets))

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

    def batches() -> Iterator[list[Any]]:
        while (batch := asyncio.run_coroutine_threadsafe(following(), loop).result()) is not None:
            yield batch

    headers = plan.headers
    for rows in plan.records(headers)(batches()):
        plan.rows += len(rows)
        yield rows
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
            reader.report_lines(scope),
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
    it is cleaned again here for rows older than that, like every other text of the file. Each look-up takes
    the value as the database holds it."""

    def __init__(self, wording: Wording) -> None:
        self.status = _cleaned(wording.status)
        self.category = _cleaned(wording.category)
        self.unit = _cleaned(wording.unit)
        self.merged = wording.merged
        self.group = _cleaned(wording.group)
        self.period = _cleaned(wording.period)
        self.area = _cleaned(wording.area)
        # Flags are stored as 0 or 1.
        self.yes_no = _cleaned(lambda flag: wording.yes_no(bool(flag)))
        self.kind = _cleaned(lambda kind: wording.t(f"export.nominee_kind.{kind}"))
        self.text = _cleaned(str)
        citizen = wording.t("export.citizen")
        # Who made a nomination: the unit it was made on behalf of, or a citizen.
        self.made_by = _cleaned(lambda unit: wording.unit(unit) if unit else citizen)
        self.local_time = _LocalTimes(wording.campaign.campaign.tz)


def _batches(records: Callable[[list[Any]], list[dict[str, Value]]]) -> Records:
    """A sheet whose every batch of the reader's rows makes its own rows."""
    return functools.partial(map, records)


def _nominations(words: _Words, headers: list[str], with_contacts: bool) -> Records:
    """Rows of the nominations sheet from the database's rows (columns as ExportReader.nominations says),
    worked out a column of a batch at a time: the look-ups are mapped over the column, the texts checked as
    one (see _plain), and each row is one dict display."""
    local, text, unit, made_by, yes_no = words.local_time, words.text, words.unit, words.made_by, words.yes_no
    status, kind, category = words.status, words.kind, words.category
    h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, h10, h11, h12, h13, h14 = headers[:15]

    def local_or_none(stored: str | None) -> dt.datetime | None:
        return local(stored) if stored else None

    def records(rows: list[Any]) -> list[dict[str, Value]]:
        if not rows:
            return []
        c = list(zip(*rows, strict=True))
        return [
            {
                h0: a,
                h1: b,
                h2: c_,
                h3: d,
                h4: e,
                h5: f,
                h6: g,
                h7: h_,
                h8: i,
                h9: j,
                h10: k,
                h11: l_,
                h12: m,
                h13: n,
                h14: o,
            }
            for a, b, c_, d, e, f, g, h_, i, j, k, l_, m, n, o in zip(
                _texts(c[0]),
                local.column(c[1]),
                map(status, c[2]),
                map(kind, c[3]),
                _texts(c[4]),
                map(text, c[5]),
                map(unit, c[5]),
                map(category, c[6]),
                _texts(c[7]),
                c[8],
                map(made_by, c[9]),
                map(yes_no, c[11]),
                map(local_or_none, c[12]),
                _optional_texts(c[13]),
                _optional_texts(c[14]),
                strict=True,
            )
        ]

    if not with_contacts:
        return _batches(records)
    h15, h16 = headers[15:17]

    def with_nominator(rows: list[Any]) -> list[dict[str, Value]]:
        done = records(rows)
        if done:
            c = list(zip(*rows, strict=True))
            for row, name, phone in zip(done, _optional_texts(c[15]), _optional_texts(c[16]), strict=True):
                row[h15] = name
                row[h16] = phone
        return done

    return _batches(with_nominator)


def _reports(words: _Words, headers: list[str], indicators: list[tuple[str, Indicator]]) -> Records:
    """Rows of the reports sheet from ExportReader.report_lines: one row per unit and content area, its
    figures written in from the lines that follow it. A batch's last row may still gain figures from the
    next batch, so it is held back until that comes."""
    local, text, yes_no, unit, merged = words.local_time, words.text, words.yes_no, words.unit, words.merged
    period, group, area = words.period, words.group, words.area
    h0, h1, h2, h3, h4, h5, h6, h7, h8, h9 = headers[:10]
    # Each area's figures go in its own indicators' columns; the other areas' columns stay blank.
    blanks = dict.fromkeys(headers[10:])
    columns: dict[str, dict[str, list[str]]] = {}
    for header, (area_code, indicator) in zip(headers[10:], indicators, strict=True):
        columns.setdefault(area_code, {}).setdefault(indicator.code, []).append(header)

    def records(batches: Iterator[list[Any]]) -> Iterator[list[dict[str, Value]]]:
        held: list[dict[str, Value]] = []
        report: int | None = None
        area_code: str | None = None
        row: dict[str, Value] = {}
        slots: dict[str, list[str]] = {}
        for lines in batches:
            if not lines:
                continue
            c = list(zip(*lines, strict=True))
            done = held
            for r, reference, filed, sent, narrative in zip(
                lines, _texts(c[1]), _texts(c[4]), local.column(c[7]), _texts(c[10]), strict=True
            ):
                if r[0] != report or r[9] != area_code:
                    report, area_code = r[0], r[9]
                    row = {
                        h0: reference,
                        h1: period(r[2]),
                        h2: text(r[3]),
                        # Filed under the unit's name then, or under its successor if it was merged since.
                        h3: unit(r[3]) if r[3] in merged else filed,
                        h4: group(r[5]),
                        h5: r[6],
                        h6: sent,
                        h7: yes_no(r[8]),
                        h8: area(area_code),
                        h9: narrative,
                    }
                    row.update(blanks)
                    done.append(row)
                    slots = columns.get(area_code, {})
                if r[11] is not None:
                    for header in slots.get(r[11], ()):
                        row[header] = r[12]
            # The last row waits for the next batch, which may hold more of its figures.
            held = [done.pop()]
            if done:
                yield done
        if held:
            yield held

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

    return _batches(records)
