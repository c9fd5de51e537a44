"""The list annexed to a commendation decision: who is commended, under which unit, with which form, in a
Word table laid out like an administrative document's annex and in an Excel sheet of the same rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.awards_loader import catalogue
from bot.domain.commendation import Decision, Proposal
from bot.exports import mime
from bot.i18n import Catalog

if TYPE_CHECKING:
    from docx.table import _Cell

# python-docx and openpyxl are imported by the writers below: the bot loads them only when it makes a file.
XLSX_MIME = mime.XLSX
DOCX_MIME = mime.DOCX
COLUMNS = ("number", "name", "recipient", "unit", "form", "method", "deed")
DEED_SHOWN = 300


@dataclass(frozen=True)
class AnnexRow:
    name: str
    recipient: str
    unit: str
    form: str
    method: str
    deed: str


@dataclass(frozen=True)
class Annex:
    number: str
    signed_on: dt.date
    signer: str
    rows: list[AnnexRow]


def _header(catalog: Catalog, lang: str) -> list[str]:
    return [catalog.t(lang, f"annex.file.{c}") for c in COLUMNS]


def _cells(i: int, row: AnnexRow) -> list[str]:
    deed = row.deed if len(row.deed) <= DEED_SHOWN else row.deed[: DEED_SHOWN - 1] + "…"
    return [str(i), row.name, row.recipient, row.unit, row.form, row.method, deed]


def _title(catalog: Catalog, lang: str, annex: Annex) -> tuple[str, str]:
    when = annex.signed_on.strftime("%d/%m/%Y")
    return (
        catalog.t(lang, "annex.file.title"),
        catalog.t(lang, "annex.file.subtitle", number=annex.number, date=when, signer=annex.signer),
    )


def write_annex_xlsx(annex: Annex, catalog: Catalog, lang: str, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = catalog.t(lang, "annex.file.sheet")
    title, subtitle = _title(catalog, lang, annex)
    sheet.append([title])
    sheet.append([subtitle])
    sheet.append([])
    sheet.append(_header(catalog, lang))
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet["A1"].font = Font(bold=True, size=13)
    for i, row in enumerate(annex.rows, start=1):
        sheet.append(_cells(i, row))
    for letter, width in zip("ABCDEFG", (6, 28, 12, 28, 30, 16, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    book.save(partial)
    partial.replace(path)


def _fill(cell: _Cell, text: str, *, bold: bool = False) -> None:
    """Write into the cell's own first paragraph (a new cell already has one, left empty otherwise)."""
    from docx.shared import Pt

    from bot.exports.docx_layout import CENTER

    paragraph = cell.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = bold
    run.font.size = Pt(12)
    if bold:
        paragraph.alignment = CENTER


def write_annex_docx(annex: Annex, catalog: Catalog, lang: str, path: Path) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT

    from bot.exports.docx_layout import CENTER, document, line, save

    doc = document()
    title, subtitle = _title(catalog, lang, annex)
    line(doc, title, bold=True, align=CENTER)
    line(doc, subtitle, italic=True, align=CENTER)
    table = doc.add_table(rows=1, cols=len(COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, _header(catalog, lang), strict=True):
        _fill(cell, text, bold=True)
    for i, row in enumerate(annex.rows, start=1):
        for cell, text in zip(table.add_row().cells, _cells(i, row), strict=True):
            _fill(cell, text)
    line(doc, catalog.t(lang, "annex.file.total", count=len(annex.rows)), italic=True)
    save(doc, path)


def annex_of(
    decision: Decision, proposals: list[Proposal], unit_names: dict[str, str], catalog: Catalog, lang: str
) -> Annex:
    """The annex's rows in the language asked for, forms named as the catalogue in force on the signing
    day names them, units as views show them (a merged unit under its successor)."""
    book = catalogue()
    rows = []
    for p in proposals:
        form = book.form(p.form_code, decision.signed_on)
        rows.append(
            AnnexRow(
                name=p.nominee_name,
                recipient=catalog.t(lang, f"annex.recipient.{p.recipient.value}"),
                unit=unit_names.get(p.unit_code, p.unit_code),
                form=form.name.get(lang) if form is not None else p.form_code,
                method=catalog.t(lang, f"commend.method.{p.method.value}"),
                deed=p.deed,
            )
        )
    return Annex(number=decision.number, signed_on=decision.signed_on, signer=decision.signer, rows=rows)
