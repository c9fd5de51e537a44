"""The compilation of the units' reports, laid out as the administrative report the secretariat sends up:
letterhead and national motto, title, a first section on who has reported, then one section per cluster or
block with a numbered part per content area (each unit's account and figures, and the totals of the
whole-number figures), and a signature block left blank for the official."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from pathlib import Path

from docx.document import Document
from pydantic import BaseModel

from bot.domain.campaign import ReportingPeriod
from bot.domain.export_rows import ExportScope, ReportRow, UnreportedRow
from bot.exports import docx_layout as layout
from bot.exports.wording import Wording
from bot.storage.exports import ExportReader

GROUPLESS = "~"


class CompilationSummary(BaseModel):
    reports: int
    units: int
    unreported: int


class _Tally(BaseModel):
    sent: set[str] = set()
    late: set[str] = set()
    missing: list[str] = []


async def write_compilation(
    reader: ExportReader, scope: ExportScope, wording: Wording, path: Path, made_at: dt.datetime
) -> CompilationSummary:
    rows: list[ReportRow] = []
    async for batch in reader.reports(scope):
        rows += batch
    periods = reader.periods_in(scope)
    missing = await reader.unreported(scope, await reader.active_units())
    day = wording.local_date(made_at)
    await asyncio.to_thread(_write, rows, missing, periods, scope, wording, path, day)
    return CompilationSummary(
        reports=len({r.reference for r in rows}),
        units=len({r.unit_code for r in rows}),
        unreported=len({u.unit_code for u in missing}),
    )


def _write(
    rows: list[ReportRow],
    missing: list[UnreportedRow],
    periods: list[ReportingPeriod],
    scope: ExportScope,
    wording: Wording,
    path: Path,
    day: dt.date,
) -> None:
    t = wording.t
    doc = layout.document()
    layout.letterhead(doc, wording, t("export.compilation.number", year=day.year), day)
    when = wording.period(scope.period.code) if scope.period else t("export.compilation.range", dates=scope.dates())
    layout.title(doc, t("export.compilation.title"), t("export.compilation.subtitle", when=when))
    layout.body(
        doc,
        t(
            "export.compilation.intro",
            campaign=wording.campaign.campaign.title.get(wording.lang),
            body=wording.secretariat() or t("export.compilation.we"),
            when=when,
            dates=scope.dates(),
        ),
    )

    number = 1
    layout.heading(doc, f"{layout.roman(number)}. {t('export.compilation.submission_section')}")
    _submission(doc, wording, rows, missing, periods)

    by_group: dict[str, list[ReportRow]] = defaultdict(list)
    for row in rows:
        by_group[row.group_code or GROUPLESS].append(row)
    order = [g.code for g in wording.campaign.groups if g.code in by_group] + sorted(
        g for g in by_group if wording.campaign.group(g) is None and g != GROUPLESS
    )
    if GROUPLESS in by_group:
        order.append(GROUPLESS)
    if not rows:
        layout.body(doc, t("export.compilation.no_reports"), italic=True)
    for code in order:
        number += 1
        layout.heading(doc, f"{layout.roman(number)}. {wording.group(None if code == GROUPLESS else code).upper()}")
        _group(doc, wording, by_group[code], len(periods) > 1 or scope.period is None)

    number += 1
    layout.heading(doc, f"{layout.roman(number)}. {t('export.compilation.proposals_section')}")
    layout.body(doc, "…" * 40)
    layout.signature(doc, wording, [t("export.compilation.to_superior"), t("export.compilation.to_archive")])
    layout.save(doc, path)


def _submission(
    doc: Document,
    wording: Wording,
    rows: list[ReportRow],
    missing: list[UnreportedRow],
    periods: list[ReportingPeriod],
) -> None:
    t = wording.t
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for row in rows:
        tally = tallies[row.period_code]
        tally.sent.add(row.unit_code)
        if row.late:
            tally.late.add(row.unit_code)
    for gap in missing:
        tallies[gap.period_code].missing.append(gap.unit_name)
    for period in periods:
        tally = tallies[period.code]
        layout.body(
            doc,
            t(
                "export.compilation.period_line",
                period=period.name.get(wording.lang),
                deadline=period.deadline.strftime("%d/%m/%Y"),
                sent=len(tally.sent),
                owing=len(tally.sent) + len(tally.missing),
                late=len(tally.late),
                missing=len(tally.missing),
            ),
        )
        if tally.missing:
            layout.body(doc, t("export.compilation.missing_units", units="; ".join(tally.missing)), italic=True)
    shown = {p.code for p in periods}
    for code, tally in tallies.items():
        if code not in shown:
            layout.body(doc, t("export.compilation.other_period", period=wording.period(code), sent=len(tally.sent)))


def _group(doc: Document, wording: Wording, rows: list[ReportRow], name_periods: bool) -> None:
    t = wording.t
    by_area: dict[str, list[ReportRow]] = defaultdict(list)
    for row in rows:
        by_area[row.area_code].append(row)
    known = [a.code for a in wording.campaign.content_areas]
    areas = [a for a in known if a in by_area] + sorted(a for a in by_area if a not in known)
    late = {r.unit_code for r in rows if r.late}
    layout.body(doc, t("export.compilation.group_line", units=len({r.unit_code for r in rows}), late=len(late)))
    for number, code in enumerate(areas, start=1):
        area_rows = by_area[code]
        layout.heading(doc, f"{number}. {wording.area(code)}")
        totals = _totals(wording, code, area_rows)
        if totals:
            layout.body(doc, t("export.compilation.totals", figures="; ".join(totals)))
        for row in area_rows:
            label = row.unit_name + (f" ({wording.period(row.period_code)})" if name_periods else "")
            paragraph = layout.body(doc, "")
            layout.run(paragraph, f"- {label}: ").bold = True
            layout.run(paragraph, " ".join(row.narrative.split()))
            figures = _figures(wording, code, row.values)
            if figures:
                layout.run(paragraph, f" ({'; '.join(figures)})").italic = True


def _figures(wording: Wording, area_code: str, values: dict[str, float]) -> list[str]:
    area = wording.campaign.area(area_code)
    indicators = area.indicators if area else []
    lang = wording.lang
    return [
        f"{i.name.get(lang)}: {wording.number(values[i.code])} {i.unit.get(lang)}"
        for i in indicators
        if i.code in values
    ]


def _totals(wording: Wording, area_code: str, rows: list[ReportRow]) -> list[str]:
    """Whole-number figures add up across units; a rate or an average does not, so it is not totalled."""
    area = wording.campaign.area(area_code)
    lang = wording.lang
    totals = []
    for indicator in area.indicators if area else []:
        if indicator.type != "integer":
            continue
        found = [r.values[indicator.code] for r in rows if indicator.code in r.values]
        if found:
            totals.append(f"{indicator.name.get(lang)}: {wording.number(sum(found))} {indicator.unit.get(lang)}")
    return totals
