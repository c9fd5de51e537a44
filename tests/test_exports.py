"""The secretariat's files, opened again with openpyxl and python-docx: what each holds and how it is laid
out. Nominations come through the real conversation and the review repository, reports through theirs."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import Cell

from bot.app import App
from bot.domain.export_rows import ExportKind, parse_range
from bot.exports.making import ExportRequest, make_exports
from tests.support.exports import (
    DEED,
    FORMULA_DEED,
    NOMINATOR,
    PHONE,
    POVERTY,
    docx_text,
    export,
    seed,
)

# Who is in the bulletin and who is not, and why.
PUBLISHED = ["Lê Thị Hoa", "Hội Phụ nữ xã Mỹ An"]  # consent recorded; a collective needs none
NOT_PUBLISHED = ["Trần Văn Bảy", "Phạm Văn Tư", "Võ Thị Năm", "Nguyễn Văn An"]  # no consent, unmarked, rejected, open


def is_date(cell: object) -> bool:
    """A cell the spreadsheet treats as a date (numbers formatted as dates, read back as datetimes)."""
    return isinstance(cell, Cell) and cell.is_date


def cells(path: Path) -> dict[str, list[list[object]]]:
    book = openpyxl.load_workbook(path)
    return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


async def test_the_workbook_has_three_sheets_with_frozen_headers_widths_and_real_dates(
    app: App, tmp_path: Path
) -> None:
    await seed(app)
    made = await export(app, tmp_path, ExportKind.XLSX)
    assert made.counts == {"nominations": 6, "reports": 4, "unreported": 15}
    book = openpyxl.load_workbook(made.path)
    assert book.sheetnames == ["Đề cử", "Báo cáo", "Chưa báo cáo"]
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.bold
        assert sheet.column_dimensions["A"].width > 8
    nominations = book["Đề cử"]
    header = [c.value for c in nominations[1]]
    assert header[:5] == ["Mã", "Thời gian gửi", "Tình trạng", "Cá nhân/Tập thể", "Người/tập thể được đề cử"]
    first = nominations[2]
    assert first[0].value == "NTVT-2026-000001"
    # 02:00 UTC is 09:00 in Đồng Tháp: a date the spreadsheet can sort and filter, in local time.
    assert is_date(first[1]) and first[1].value == dt.datetime(2026, 11, 28, 9, 0)
    assert first[2].value == "Đã gửi, chờ xét" and first[10].value == "Người dân"
    statuses = {row[4]: row[2] for row in cells(made.path)["Đề cử"][1:]}
    assert statuses["Lê Thị Hoa"] == "Đã được duyệt" and statuses["Võ Thị Năm"] == "Không được chấp nhận"
    # What a person typed is kept as text, never run as a formula.
    formula = next(row for row in nominations.iter_rows(min_row=2) if row[4].value == "Phạm Văn Tư")[8]
    assert formula.value == FORMULA_DEED and formula.data_type == "s"


async def test_sheets_with_no_rows_still_have_their_frozen_bold_header(app: App, tmp_path: Path) -> None:
    made = await export(app, tmp_path, ExportKind.XLSX)
    assert made.counts["nominations"] == 0 and made.counts["reports"] == 0
    book = openpyxl.load_workbook(made.path)
    for title in ("Đề cử", "Báo cáo"):
        sheet = book[title]
        assert sheet.max_row == 1 and sheet["A1"].value == "Mã" and sheet["A1"].font.bold
        assert sheet.freeze_panes == "A2"
    deadline = book["Chưa báo cáo"]["B2"]
    assert is_date(deadline) and deadline.number_format == "dd/mm/yyyy" and deadline.value == dt.datetime(2026, 12, 10)


async def test_reports_are_one_row_per_unit_and_area_with_indicators_as_columns(app: App, tmp_path: Path) -> None:
    await seed(app)
    sheet = cells((await export(app, tmp_path, ExportKind.XLSX)).path)["Báo cáo"]
    header = sheet[0]
    assert header[:10] == [
        "Mã",
        "Kỳ báo cáo",
        "Mã đơn vị",
        "Đơn vị",
        "Cụm, khối thi đua",
        "Bản",
        "Thời gian gửi",
        "Trễ hạn",
        "Nội dung thi đua",
        "Kết quả thực hiện",
    ]
    ocop, households, rate = (
        header.index("Số sản phẩm OCOP mới được công nhận (sản phẩm)"),
        header.index("Số hộ thoát nghèo (hộ)"),
        header.index("Tỷ lệ hộ nghèo cuối kỳ (%)"),
    )
    rows = {(r[2], r[8]): r for r in sheet[1:]}
    assert sorted(rows) == [
        ("H-LAPVO", "Giảm nghèo bền vững, các vấn đề xã hội"),
        ("H-THAPMUOI", "Giảm nghèo bền vững, các vấn đề xã hội"),
        ("H-THAPMUOI", "Nông nghiệp, nông thôn mới và sản phẩm OCOP"),
        ("SO-NOIVU", "Thực hiện Nghị quyết Đại hội Đảng, học tập và làm theo Bác"),
    ]
    poverty = rows[("H-THAPMUOI", "Giảm nghèo bền vững, các vấn đề xã hội")]
    assert poverty[households] == 120 and poverty[rate] == 2.75 and poverty[ocop] is None
    assert rows[("H-THAPMUOI", "Nông nghiệp, nông thôn mới và sản phẩm OCOP")][ocop] == 6
    # Only the latest version of a unit's report, with its own late mark.
    lapvo = rows[("H-LAPVO", "Giảm nghèo bền vững, các vấn đề xã hội")]
    assert lapvo[0] == "BC-2026-CN-H-LAPVO-v2" and lapvo[5] == 2 and lapvo[7] == "Có" and lapvo[households] == 30
    assert rows[("SO-NOIVU", "Thực hiện Nghị quyết Đại hội Đảng, học tập và làm theo Bác")][4] == (
        "Khối Đảng - Đoàn thể (mẫu)"
    )
    assert isinstance(poverty[6], dt.datetime)


async def test_units_that_have_not_reported_are_listed_with_the_deadline(app: App, tmp_path: Path) -> None:
    await seed(app)
    book = openpyxl.load_workbook((await export(app, tmp_path, ExportKind.XLSX)).path)
    sheet = book["Chưa báo cáo"]
    assert [c.value for c in sheet[1]] == ["Kỳ báo cáo", "Hạn nộp", "Mã đơn vị", "Đơn vị", "Cụm, khối thi đua"]
    rows = list(sheet.iter_rows(min_row=2))
    units = [r[3].value for r in rows]
    assert len(units) == 15 and "Huyện Tam Nông" in units and "Báo Đồng Tháp" in units
    assert not {"Huyện Tháp Mười", "Huyện Lấp Vò", "Sở Nội vụ"} & set(units)
    assert is_date(rows[0][1]) and rows[0][1].value == dt.datetime(2026, 12, 10)
    assert rows[0][0].value == "Báo cáo tổng kết năm 2026"


async def test_phone_numbers_only_in_an_export_with_contacts(app: App, tmp_path: Path) -> None:
    await seed(app)
    plain = cells((await export(app, tmp_path / "plain", ExportKind.XLSX)).path)
    everything = [str(v) for sheet in plain.values() for row in sheet for v in row if v is not None]
    assert not [v for v in everything if PHONE in v or NOMINATOR in v]
    assert "Số điện thoại" not in plain["Đề cử"][0]
    full = cells((await export(app, tmp_path / "full", ExportKind.XLSX, with_contacts=True)).path)["Đề cử"]
    assert full[0][-2:] == ["Họ tên người đề cử", "Số điện thoại"]
    assert {tuple(row[-2:]) for row in full[1:]} == {(NOMINATOR, PHONE)}


async def test_the_bulletin_holds_only_approved_marked_and_consented_nominations(app: App, tmp_path: Path) -> None:
    await seed(app)
    made = await export(app, tmp_path, ExportKind.BULLETIN)
    assert made.counts == {"entries": 2}
    paragraphs, _ = docx_text(made.path)
    text = "\n".join(paragraphs)
    assert "BẢN TIN HƯƠNG SEN ĐỒNG THÁP" in text and "Gương người tốt, việc tốt" in text
    assert "1. Lê Thị Hoa — Huyện Lấp Vò" in paragraphs and "2. Hội Phụ nữ xã Mỹ An — Huyện Lấp Vò" in paragraphs
    for name in NOT_PUBLISHED:
        assert name not in text
    assert DEED in paragraphs and "Tập thể · Cả nước chung sức xây dựng nông thôn mới" in paragraphs
    assert PHONE not in text and NOMINATOR not in text


async def test_an_empty_bulletin_says_so(app: App, tmp_path: Path) -> None:
    made = await export(app, tmp_path, ExportKind.BULLETIN)
    assert made.counts == {"entries": 0}
    assert any("chưa có gương người tốt, việc tốt nào" in p for p in docx_text(made.path)[0])


async def test_the_compilation_is_an_administrative_report_by_cluster_block_and_area(app: App, tmp_path: Path) -> None:
    await seed(app)
    made = await export(app, tmp_path, ExportKind.COMPILATION)
    assert made.counts == {"reports": 3, "units": 3, "unreported": 15}
    paragraphs, tables = docx_text(made.path)
    letterhead, signature = tables[0], tables[-1]
    assert letterhead[0].splitlines() == ["UBND TỈNH ĐỒNG THÁP", "SỞ NỘI VỤ", "―――――"]
    assert letterhead[1].splitlines()[:2] == ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]
    assert letterhead[3] == "Đồng Tháp, ngày 28 tháng 11 năm 2026"
    assert "BÁO CÁO" in paragraphs
    headings = [p for p in paragraphs if re.fullmatch(r"[IVXL]+\. .+", p)]
    assert headings == [
        "I. TÌNH HÌNH GỬI BÁO CÁO",
        "II. CỤM THI ĐUA SỐ 1 (MẪU)",
        "III. KHỐI ĐẢNG - ĐOÀN THỂ (MẪU)",
        "IV. ĐỀ XUẤT, KIẾN NGHỊ",
    ]
    cluster = paragraphs[paragraphs.index("II. CỤM THI ĐUA SỐ 1 (MẪU)") : paragraphs.index(headings[2])]
    assert cluster[1] == "Có 2 đơn vị gửi báo cáo, trong đó 1 đơn vị gửi trễ hạn."
    assert "1. Nông nghiệp, nông thôn mới và sản phẩm OCOP" in cluster
    assert "2. Giảm nghèo bền vững, các vấn đề xã hội" in cluster
    assert "Số liệu tổng hợp: Số hộ thoát nghèo: 150 hộ." in cluster  # a rate is not added up
    assert f"- Huyện Tháp Mười: {POVERTY} (Số hộ thoát nghèo: 120 hộ; Tỷ lệ hộ nghèo cuối kỳ: 2,75 %)" in cluster
    submission = paragraphs[paragraphs.index(headings[0]) : paragraphs.index(headings[1])]
    assert (
        "Báo cáo tổng kết năm 2026 (hạn nộp 10/12/2026): 3/18 đơn vị đã gửi báo cáo, trong đó 1 đơn vị gửi trễ hạn;"
        " 15 đơn vị chưa gửi." in submission
    )
    assert any(p.startswith("Các đơn vị chưa gửi: ") and "Huyện Tam Nông" in p for p in submission)
    assert signature[0].startswith("Nơi nhận:")
    block = signature[1].splitlines()
    assert block[:2] == ["THỦ TRƯỞNG CƠ QUAN", "(Ký, ghi rõ họ tên và đóng dấu)"]
    assert block[-1] == "…………………………………" and all(not line.strip() for line in block[2:-1])


async def test_a_date_range_takes_the_reports_sent_in_it_and_the_periods_due_in_it(app: App, tmp_path: Path) -> None:
    await seed(app)
    scope = parse_range("01/12/2026-31/12/2026")
    assert scope is not None
    request = ExportRequest(scope=scope, kinds=[ExportKind.XLSX])
    now = app.services.clock.now()
    made = await make_exports(app.db.path, app.services.campaign, app.services.catalog, request, now, folder=tmp_path)
    # Nothing was sent in December; the year-end period and the digital-transformation phase (owed by the 12
    # localities, none of which reported for it) fall due in it: 15 + 12 reports missing, from 17 of the 18
    # units. Units are counted, not unit × period pairs.
    assert made[0].counts == {"nominations": 0, "reports": 0, "unreported": 17}
    assert made[0].counts["unreported"] <= len(app.services.campaign.units)
    assert made[0].filename.startswith("DT-2026-20261201-20261231-xlsx-")
