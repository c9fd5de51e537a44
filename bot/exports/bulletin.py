"""The "Hương Sen" bulletin: the good people and good deeds the secretariat approved for the media column
in the dates asked, written for the newsroom. Who nominated them is never in it."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

from pydantic import BaseModel

from bot.domain.export_rows import BulletinEntry, ExportScope
from bot.exports import docx_layout as layout
from bot.exports.wording import Wording
from bot.storage.exports import ExportReader


class BulletinSummary(BaseModel):
    entries: int


async def write_bulletin(
    reader: ExportReader, scope: ExportScope, wording: Wording, path: Path, made_at: dt.datetime
) -> BulletinSummary:
    entries = await reader.bulletin(scope)
    await asyncio.to_thread(_write, entries, scope, wording, path, wording.local_date(made_at))
    return BulletinSummary(entries=len(entries))


def _write(entries: list[BulletinEntry], scope: ExportScope, wording: Wording, path: Path, day: dt.date) -> None:
    t = wording.t
    doc = layout.document()
    parent, body = wording.issuer()
    layout.line(doc, parent, size=12, align=layout.CENTER)
    layout.line(doc, body, bold=True, size=12, align=layout.CENTER)
    layout.line(doc)
    layout.title(doc, t("export.bulletin.title", place=wording.place().upper()), t("export.bulletin.subtitle"))
    when = wording.period(scope.period.code) if scope.period else scope.dates()
    layout.line(doc, t("export.bulletin.covering", when=when, dates=scope.dates()), italic=True, align=layout.CENTER)
    layout.line(doc, wording.dated(day), italic=True, align=layout.RIGHT)
    if not entries:
        layout.body(doc, t("export.bulletin.empty"), italic=True)
    for number, entry in enumerate(entries, start=1):
        unit = wording.unit(entry.unit_code)
        layout.heading(doc, f"{number}. {entry.nominee_name} — {unit}")
        kind = t(f"export.nominee_kind.{entry.nominee_kind}")
        layout.line(doc, f"{kind} · {wording.category(entry.category_code)}", italic=True, size=12)
        for paragraph in entry.deed.splitlines():
            if paragraph.strip():
                layout.body(doc, paragraph.strip())
        approved = wording.local(entry.decided_at).strftime("%d/%m/%Y")
        layout.line(doc, t("export.bulletin.reference", reference=entry.reference, approved=approved), size=10)
    layout.line(doc)
    layout.line(doc, t("export.bulletin.count", count=len(entries)), italic=True, size=12)
    layout.save(doc, path)
