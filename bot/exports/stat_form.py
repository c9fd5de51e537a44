"""A statistical form as an Excel sheet laid out like the printed one: the form's number, circular and
due date top left, who reports to whom top right, the title and year in the middle, the table with its
lettered and numbered heading row (A, B, 1, 2, …), and the two signature places under it."""

from __future__ import annotations

from pathlib import Path

from bot.domain.stat_forms import StatForm
from bot.exports import mime

HEADER_ROW = 8
FIRST_ROW = HEADER_ROW + 2
MIME = mime.XLSX
_FONT = "Times New Roman"


def write_stat_form(form: StatForm, year: int, figures: dict[str, dict[str, int | None]], path: Path) -> None:
    # openpyxl is loaded only when a form is made.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = form.form.short
    info = form.form
    last = 2 + len(form.columns)
    last_letter = get_column_letter(last)

    def put(cell: str, text: str, *, bold: bool = False, italic: bool = False, center: bool = False) -> None:
        sheet[cell] = text
        sheet[cell].font = Font(name=_FONT, bold=bold, italic=italic, size=12)
        if center:
            sheet[cell].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    words = form.layout
    put("A1", words.form_number.format(code=info.code), bold=True)
    put("A2", words.issued_with.format(circular=info.circular), italic=True)
    put("A3", words.received.format(received_by=info.received_by), italic=True)
    put(f"{last_letter}1", words.sender.format(sender=info.sender))
    put(f"{last_letter}2", words.receiver.format(receiver=info.receiver))
    put(f"{last_letter}3", info.unit_of_count, italic=True)
    sheet.merge_cells(f"A5:{last_letter}5")
    put("A5", info.title, bold=True, center=True)
    sheet.merge_cells(f"A6:{last_letter}6")
    put("A6", words.year.format(year=year), bold=True, center=True)

    headings = [words.criteria, words.row_code, *(c.title for c in form.columns)]
    marks = ["A", "B", *(c.code for c in form.columns)]
    for index, (heading, mark) in enumerate(zip(headings, marks, strict=True), start=1):
        letter = get_column_letter(index)
        put(f"{letter}{HEADER_ROW}", heading, bold=True, center=True)
        put(f"{letter}{HEADER_ROW + 1}", mark, italic=True, center=True)
        for at in (HEADER_ROW, HEADER_ROW + 1):
            sheet[f"{letter}{at}"].border = box
    for offset, row in enumerate(form.rows):
        at = FIRST_ROW + offset
        put(f"A{at}", row.title, bold=row.bold or row.heading)
        put(f"B{at}", row.code, center=True)
        for index, column in enumerate(form.columns, start=3):
            cell = sheet.cell(row=at, column=index)
            value = figures.get(row.code, {}).get(column.code)
            cell.value = value
            cell.font = Font(name=_FONT, bold=row.bold, size=12)
            cell.alignment = Alignment(horizontal="center")
        for index in range(1, last + 1):
            sheet.cell(row=at, column=index).border = box
    footer = FIRST_ROW + len(form.rows) + 2
    put(f"A{footer}", words.preparer, bold=True, center=True)
    put(f"A{footer + 1}", words.preparer_note, italic=True, center=True)
    put(f"{last_letter}{footer - 1}", words.place_date, italic=True, center=True)
    put(f"{last_letter}{footer}", words.head, bold=True, center=True)
    put(f"{last_letter}{footer + 1}", words.head_note, italic=True, center=True)
    sheet.column_dimensions["A"].width = 42
    sheet.column_dimensions["B"].width = 8
    for index in range(3, last + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 18
    sheet.row_dimensions[HEADER_ROW].height = 48
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    book.save(partial)
    partial.replace(path)
