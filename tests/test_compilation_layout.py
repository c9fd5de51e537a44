"""The compilation's page as Word lays it out: the republic's name and the motto each on one line, and the
signature block kept on the page of the text's last paragraph."""

from __future__ import annotations

from pathlib import Path

from docx import Document
from docx.shared import Mm

from bot.app import App
from bot.domain.export_rows import ExportKind
from tests.support.exports import export, seed

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


async def test_the_motto_stays_on_one_line_and_the_signature_with_the_last_section(app: App, tmp_path: Path) -> None:
    await seed(app)
    made = await export(app, tmp_path, ExportKind.COMPILATION)
    doc = Document(str(made.path))
    letterhead, signature = doc.tables[0], doc.tables[-1]
    # Fixed widths wide enough for "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" at 12 pt, in a cell that does not wrap.
    assert not letterhead.autofit
    motto_cell = letterhead.rows[0].cells[1]
    assert motto_cell.width is not None and motto_cell.width >= Mm(100)
    assert motto_cell._tc.get_or_add_tcPr().find(f"{W}noWrap") is not None
    # The signature row is never split, and what comes before it is kept with it.
    assert signature.rows[0]._tr.get_or_add_trPr().find(f"{W}cantSplit") is not None
    body = doc.element.body
    before = signature._tbl.getprevious()
    assert before is not None and before.tag == f"{W}p"
    blank, last_text = before, before.getprevious()
    for paragraph in (blank, last_text):
        assert paragraph.find(f"{W}pPr/{W}keepNext") is not None
    assert body.index(signature._tbl) > body.index(last_text)
