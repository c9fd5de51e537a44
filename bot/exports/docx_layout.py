"""The page of a Vietnamese administrative document (Decree 30/2020/NĐ-CP): A4 with its margins, Times New
Roman, the letterhead with the issuing body on the left and the national motto on the right, the place and
date line, and a signature block left blank for the official who signs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from docx import Document as new_document
from docx.document import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.shared import Mm, Pt
from docx.table import Table, _Cell, _Row
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from bot.conversation.text import clean_text
from bot.exports import mime
from bot.exports.wording import Wording

MIME = mime.DOCX
FONT = "Times New Roman"
CENTER = WD_ALIGN_PARAGRAPH.CENTER
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
RIGHT = WD_ALIGN_PARAGRAPH.RIGHT


def run(paragraph: Paragraph, text: str) -> Run:
    """A run of text, cleaned of what XML cannot hold. Text is cleaned when it comes in; this is the second
    line of defence, for what came in before that (or from a file): one ESC must not cost the whole export."""
    return paragraph.add_run(clean_text(text))


def document() -> Document:
    doc = new_document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.paragraph_format.space_after = Pt(4)
    return doc


def line(
    where: Document | _Cell,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: object = None,
) -> Paragraph:
    paragraph = where.add_paragraph()
    if text:
        added = run(paragraph, text)
        added.bold, added.italic = bold, italic
        if size is not None:
            added.font.size = Pt(size)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0) if isinstance(where, _Cell) else Pt(4)
    return paragraph


def _first(cell: _Cell, text: str, *, bold: bool = False, italic: bool = False, size: float = 13) -> None:
    """Cells start with an empty paragraph: the first line goes into it."""
    paragraph = cell.paragraphs[0]
    added = run(paragraph, text)
    added.bold, added.italic, added.font.size = bold, italic, Pt(size)
    paragraph.alignment = CENTER
    paragraph.paragraph_format.space_after = Pt(0)


def letterhead(doc: Document, wording: Wording, number: str, day: dt.date) -> None:
    """Issuing body | national motto, then the document's number | place and date."""
    parent, body = wording.issuer()
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = table.rows[0].cells
    _first(left, parent, size=13)
    line(left, body, bold=True, size=13, align=CENTER)
    line(left, "―――――", size=10, align=CENTER)
    _first(right, wording.t("export.docx.republic"), bold=True, size=12)
    line(right, wording.t("export.docx.motto"), bold=True, size=13, align=CENTER)
    line(right, "――――――――――――", size=10, align=CENTER)
    number_cell, date_cell = table.rows[1].cells
    _first(number_cell, number, size=13)
    _first(date_cell, wording.dated(day), italic=True, size=13)
    # "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" on one line: fixed widths (Word's autofit would halve the page
    # and push "NAM" onto a line of its own) and a cell that does not wrap.
    _fixed_widths(table, (Mm(63), Mm(102)))
    _no_wrap(right)
    line(doc)


def _fixed_widths(table: Table, widths: tuple[Mm, Mm]) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _no_wrap(cell: _Cell) -> None:
    cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))


def _keep_together(row: _Row) -> None:
    """A table row that is never split across pages (the signature block)."""
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def title(doc: Document, text: str, subtitle: str | None = None) -> None:
    line(doc, text, bold=True, size=14, align=CENTER)
    if subtitle:
        line(doc, subtitle, bold=True, size=14, align=CENTER)
    line(doc, "――――――", size=10, align=CENTER)


def heading(doc: Document, text: str) -> Paragraph:
    paragraph = line(doc, text, bold=True)
    paragraph.paragraph_format.space_before = Pt(6)
    paragraph.paragraph_format.keep_with_next = True
    return paragraph


def body(doc: Document, text: str, *, italic: bool = False) -> Paragraph:
    paragraph = line(doc, text, italic=italic, align=JUSTIFY)
    paragraph.paragraph_format.first_line_indent = Mm(10)
    return paragraph


def signature(doc: Document, wording: Wording, recipients: list[str]) -> None:
    """Recipients on the left; on the right the signer's title and room to sign, the name left blank. It
    stays on the page of the text's last paragraph: a signature alone on a page signs nothing."""
    if doc.paragraphs:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    line(doc).paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=2)
    _keep_together(table.rows[0])
    left, right = table.rows[0].cells
    left.width, right.width = Mm(80), Mm(85)
    paragraph = left.paragraphs[0]
    added = run(paragraph, wording.t("export.docx.recipients"))
    added.bold, added.italic, added.font.size = True, True, Pt(12)
    for recipient in recipients:
        line(left, recipient, size=11)
    _first(right, wording.t("export.docx.signer"), bold=True, size=13)
    line(right, wording.t("export.docx.sign_here"), italic=True, size=12, align=CENTER)
    for _ in range(4):
        line(right)
    line(right, "…………………………………", size=13, align=CENTER)
    for cell in (left, right):
        for paragraph in cell.paragraphs:
            paragraph.paragraph_format.keep_with_next = True


def roman(number: int) -> str:
    numerals = [(100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    text = ""
    for value, letters in numerals:
        while number >= value:
            text += letters
            number -= value
    return text


def save(doc: Document, path: Path) -> None:
    """Through a temporary name, so a half-written document is never left under the real one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    doc.save(str(partial))
    partial.replace(path)
