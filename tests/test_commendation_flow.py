"""From approval to commendation in chat: a proposal with its criteria check (met, not met, unknown), the
decision recorded with number, date and signer, the nominator told through the outbox, the decision's
annex as Word and Excel, and the year's statistical form 0603 filled from the decisions."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import docx
import openpyxl
import pytest

from bot.app import App
from bot.domain.stat_forms import find_form
from bot.exports.stat_form import FIRST_ROW, HEADER_ROW
from tests.support.chat import Person
from tests.support.cli import Cli
from tests.support.conversations import Member, nominate, secretariat


async def approved(app: App, desk: Member, nominator: Person, name: str, *, collective: bool = False) -> str:
    reference = await nominate(nominator, name, collective=collective)
    desk.inbox()
    await desk.tap("Duyệt")
    await desk.tap("Chỉ duyệt")
    assert "✅ Đã duyệt đề cử" in desk.text
    return reference


async def propose(desk: Person, reference: str, method: str, form: str) -> str:
    await desk.say(f"/khenthuong {reference}")
    await desk.tap(method)
    await desk.tap(form)
    await desk.tap("Xong")
    await desk.tap("Gửi")
    assert "✅ Đã ghi đề xuất KT-2026-" in desk.text, desk.text
    return next(w for w in desk.text.split() if w.startswith("KT-2026-")).strip(":")


async def decide(desk: Person, proposals: list[str], number: str, day: str, signer: str) -> None:
    await desk.say("/quyetdinh")
    for reference in proposals:
        await desk.tap(reference)
    await desk.tap("Xong")
    await desk.say(number)
    await desk.say(day)
    await desk.say(signer)
    await desk.tap("Gửi")


async def test_a_proposal_shows_what_is_met_not_met_and_unknown_with_its_article(app: App) -> None:
    desk = await secretariat(app, "3001")
    citizen = Member(app, "501")
    reference = await approved(app, desk, citizen, "Nguyễn Văn An")
    await desk.say(f"/khenthuong {reference}")
    assert "Bước 1/3" in desk.text  # the nomination was named: kind, form, what was verified
    await desk.tap("Đột xuất")
    # Only forms for an individual: no emulation flag, no collective titles.
    assert "Cờ thi đua của Ủy ban nhân dân tỉnh" not in desk.buttons
    assert "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh" in desk.buttons
    await desk.tap("Bằng khen của Chủ tịch")
    text = desk.text
    assert "Điều 74 Luật Thi đua, khen thưởng số 06/2022/QH15; Nghị định 152/2025/NĐ-CP" in text
    # An ad hoc commendation is for an ad hoc achievement: met. Law-abiding nobody recorded: unknown.
    assert "✅ Có thành tích tiêu biểu trong phong trào thi đua của tỉnh" in text
    assert "❔ Gương mẫu chấp hành tốt chủ trương" in text and "(Điều 74 khoản 1)" in text
    assert "còn tiêu chuẩn cần Hội đồng xem xét" in text
    # Only the yes/no criteria can be ticked as verified; none is ticked here.
    assert desk.buttons == [
        "☐ Gương mẫu chấp hành tốt chủ trương, chính sách của Đảng, pháp luật của Nhà nước",
        "Xong (0 đã chọn)",
    ]
    await desk.tap("Xong")
    assert "• Đã xác minh: chưa xác minh tiêu chuẩn nào" in desk.text
    await desk.tap("Gửi")
    assert "✅ Đã ghi đề xuất KT-2026-0001: Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh cho Nguyễn Văn An" in desk.text
    with sqlite3.connect(app.db.path) as db:
        row = db.execute(
            "SELECT form_code, recipient, method, eligibility, status FROM commendation_proposals"
        ).fetchone()
    assert row == ("BK-TINH", "individual", "ad_hoc", "unknown", "proposed")


async def test_what_the_desk_verified_is_met_and_the_rest_stays_for_the_council(app: App) -> None:
    desk = await secretariat(app, "3001")
    citizen = Member(app, "501")
    reference = await approved(app, desk, citizen, "Hội Nông dân xã Mỹ An", collective=True)
    await desk.say(f"/khenthuong {reference}")
    await desk.tap("Thường xuyên")
    # A collective: the collective titles are offered, the individual ones are not.
    assert "Danh hiệu “Tập thể lao động tiên tiến”" in desk.buttons
    assert "Danh hiệu “Lao động tiên tiến”" not in desk.buttons
    await desk.tap("Tập thể lao động tiên tiến")
    await desk.tap("Hoàn thành tốt nhiệm vụ")
    await desk.tap("Không có cá nhân bị kỷ luật")
    await desk.tap("Xong (2 đã chọn)")
    text = desk.text
    assert "✅ Hoàn thành tốt nhiệm vụ và kế hoạch được giao (Điều 28 khoản 1)" in text
    assert "✅ Không có cá nhân bị kỷ luật từ hình thức cảnh cáo trở lên (Điều 28 khoản 3)" in text
    # A share of members nobody recorded, and the reviewer's question, stay for the council.
    assert "❔ Trên 50% cá nhân đạt danh hiệu “Lao động tiên tiến” (Điều 28 khoản 3)" in text
    assert "❔ Tập thể có phong trào thi đua thường xuyên" in text
    await desk.tap("Gửi")
    with sqlite3.connect(app.db.path) as db:
        (checked,) = db.execute("SELECT checked FROM commendation_proposals").fetchone()
    assert json.loads(checked) == {
        "task": "met",
        "members_advanced": "unknown",
        "no_discipline": "met",
        "movement": "unknown",
    }


async def test_only_an_approved_nomination_can_be_proposed_and_only_by_the_desk(app: App) -> None:
    desk = await secretariat(app, "3001")
    citizen = Member(app, "501")
    reference = await nominate(citizen, "Nguyễn Văn An")
    await desk.say(f"/khenthuong {reference}")
    assert f"không thấy đề cử đã được duyệt nào có mã {reference}" in desk.text
    await desk.say("/khenthuong")
    assert "Chưa có đề cử nào đã được duyệt mà chưa đề xuất khen thưởng" in desk.text
    await citizen.say("/khenthuong")
    assert "Chỉ Thường trực Hội đồng (Sở Nội vụ) và quản trị viên đề xuất" in citizen.text
    await citizen.say("/quyetdinh")
    assert "Chỉ Thường trực Hội đồng (Sở Nội vụ) và quản trị viên đề xuất" in citizen.text


async def test_the_nominations_offered_are_those_still_without_a_proposal_when_shown(app: App) -> None:
    desk = await secretariat(app, "3001")
    other = await secretariat(app, "3002")
    citizen = Member(app, "501")
    first = await approved(app, desk, citizen, "Nguyễn Văn An")
    second = await approved(app, desk, citizen, "Lê Thị Hoa")
    await desk.say("/khenthuong")
    assert "Bước 1/4" in desk.text
    assert desk.buttons == [f"{first} · Nguyễn Văn An", f"{second} · Lê Thị Hoa"]
    # A colleague proposes the first meanwhile: the list, shown again, no longer offers it.
    await propose(other, first, "Đột xuất", "Bằng khen của Chủ tịch")
    await desk.say("/quaylai")
    assert desk.buttons == [f"{second} · Lê Thị Hoa"]
    await desk.tap(second)
    await desk.tap("Đột xuất")
    await desk.tap("Bằng khen của Chủ tịch")
    await desk.tap("Xong")
    assert f"• Đề cử: {second} · Lê Thị Hoa" in desk.text
    await desk.tap("Gửi")
    assert "Đã ghi đề xuất KT-2026-0002" in desk.text and "cho Lê Thị Hoa" in desk.text


async def test_a_decision_tells_the_nominator_and_its_annex_lists_the_commended(app: App, tmp_path: Path) -> None:
    desk = await secretariat(app, "3001")
    citizen = Member(app, "501")
    first = await approved(app, desk, citizen, "Nguyễn Văn An")
    second = await approved(app, desk, citizen, "Lê Thị Hoa")
    kt1 = await propose(desk, first, "Đột xuất", "Bằng khen của Chủ tịch")
    kt2 = await propose(desk, second, "Đột xuất", "Giấy khen")
    await decide(desk, [kt1, kt2], "1234/QĐ-UBND", "20/11/2026", "Chủ tịch UBND tỉnh Trần Văn B")
    assert "✅ Đã ghi quyết định 1234/QĐ-UBND: 2 đề xuất được khen thưởng" in desk.text
    told = citizen.inbox_text
    assert "đã được khen thưởng: Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh, theo Quyết định số 1234/QĐ-UBND" in told
    assert "ngày 20/11/2026 của Chủ tịch UBND tỉnh Trần Văn B" in told and "Lê Thị Hoa" in told

    # The same number with another date is another decision: refused kindly, the number asked again.
    third = await approved(app, desk, citizen, "Phạm Văn C")
    kt3 = await propose(desk, third, "Theo đợt", "Giấy khen")
    await decide(desk, [kt3], "1234/QĐ-UBND", "21/11/2026", "Chủ tịch UBND tỉnh Trần Văn B")
    assert "Số 1234/QĐ-UBND đã được ghi cho quyết định ngày 20/11/2026" in desk.text
    assert "Số quyết định là gì?" in desk.text
    await desk.say("/huy")
    await desk.tap("Có")

    replies = await desk.say("/phuluc 1234/QĐ-UBND")
    files = {r.file.filename: r.file.path for r in replies if r.file is not None}
    assert set(files) == {"phu-luc-1234-QD-UBND.docx", "phu-luc-1234-QD-UBND.xlsx"}
    sheet = openpyxl.load_workbook(files["phu-luc-1234-QD-UBND.xlsx"]).active
    assert sheet is not None
    assert "Kèm theo Quyết định số 1234/QĐ-UBND ngày 20/11/2026 của Chủ tịch UBND tỉnh Trần Văn B" in str(
        sheet["A2"].value
    )
    listed = [(r[0], r[1], r[4]) for r in sheet.iter_rows(min_row=5, values_only=True)]
    assert listed == [
        ("1", "Nguyễn Văn An", "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh"),
        ("2", "Lê Thị Hoa", "Giấy khen"),
    ]
    table = docx.Document(str(files["phu-luc-1234-QD-UBND.docx"])).tables[0]
    assert [c.text for c in table.rows[2].cells][:2] == ["2", "Lê Thị Hoa"]
    await desk.say("/phuluc 999/QĐ-UBND")
    assert "chưa có quyết định khen thưởng nào số 999/QĐ-UBND" in desk.text


async def test_the_year_statistical_form_counts_the_decisions_in_its_cells(app: App) -> None:
    desk = await secretariat(app, "3001")
    citizen = Member(app, "501")
    people = [await approved(app, desk, citizen, name) for name in ("Nguyễn Văn An", "Lê Thị Hoa", "Trần Văn Ba")]
    group = await approved(app, desk, citizen, "Hội Nông dân xã Mỹ An", collective=True)
    kts = [await propose(desk, ref, "Đột xuất", "Bằng khen của Chủ tịch") for ref in people[:2]]
    kts.append(await propose(desk, people[2], "Thường xuyên", "Bằng khen của Chủ tịch"))
    flag = await propose(desk, group, "Theo đợt", "Cờ thi đua")
    await decide(desk, [*kts, flag], "77/QĐ-UBND", "25/11/2026", "Chủ tịch UBND tỉnh")

    replies = await desk.say("/xuat 0603 2026")
    [made] = [r for r in replies if r.file is not None]
    assert made.file is not None and made.file.filename == "bieu-0603-2026.xlsx"
    sheet = openpyxl.load_workbook(made.file.path).active
    assert sheet is not None
    # The printed form's header, columns and rows.
    assert sheet["A1"].value == "Biểu số: 0603.N/BNV-TĐKT"
    assert sheet["A5"].value == "SỐ LƯỢNG KHEN THƯỞNG CẤP BỘ, BAN, NGÀNH, TỈNH" and sheet["A6"].value == "Năm 2026"
    header = [c.value for c in sheet[HEADER_ROW]]
    assert header == [
        "Chỉ tiêu",
        "Mã số",
        "Tổng số",
        "Cờ thi đua của tỉnh",
        "Tập thể lao động xuất sắc",
        "Chiến sĩ thi đua cấp tỉnh",
        "Bằng khen của Chủ tịch UBND tỉnh",
    ]
    assert [c.value for c in sheet[HEADER_ROW + 1]] == ["A", "B", "1", "2", "3", "4", "5"]
    # Row 01 (total): 4 in all, 1 flag, 3 certificates of merit.
    assert [c.value for c in sheet[FIRST_ROW]][1:] == ["01", 4, 1, 0, 0, 3]
    by_code = {row[1]: row[2:] for row in sheet.iter_rows(min_row=FIRST_ROW, values_only=True) if row[1]}
    assert by_code["03"] == (1, 0, 0, 0, 1)  # regular
    assert by_code["04"] == (1, 1, 0, 0, 0)  # thematic
    assert by_code["05"] == (2, 0, 0, 0, 2)  # ad hoc
    assert by_code["07"] == (1, 1, 0, 0, 0)  # collectives
    assert by_code["08"] == (3, 0, 0, 0, 3)  # individuals
    assert by_code["02"] == (None,) * 5  # a heading row holds no figures


def test_the_form_from_the_command_line_for_a_year_without_decisions(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cli = Cli(monkeypatch, capsys, tmp_path)
    code, out = cli("export", "--form", "0603", "--year", "2025", "--out", str(tmp_path / "out"))
    assert code == 0, out
    assert "bieu-0603-2025.xlsx" in out
    sheet = openpyxl.load_workbook(tmp_path / "out" / "bieu-0603-2025.xlsx").active
    assert sheet is not None and [c.value for c in sheet[FIRST_ROW]][1:] == ["01", 0, 0, 0, 0, 0]
    code, out = cli("export", "--form", "0999", "--year", "2025")
    assert code == 1 and "no form 0999 in force in 2025" in out


def test_the_form_definitions_are_data_in_force_by_year() -> None:
    form = find_form("0603", 2026)
    assert form is not None and form.form.circular == "Thông tư 02/2023/TT-BNV"
    assert find_form("0603", 2022) is None
    assert find_form("0999", 2026) is None


async def test_the_desk_finds_commendation_in_its_menu_and_help_citizens_do_not(app: App) -> None:
    desk = await secretariat(app, "3001")
    citizen = Person(app, "501")
    await citizen.say("/trogiup")
    assert "/khenthuong" not in citizen.text and "/quyetdinh" not in citizen.text and "/tachdonvi" not in citizen.text
    await desk.say("/trogiup")
    assert "/khenthuong (/commend)" in desk.text and "/phuluc (/annex)" in desk.text
    await desk.say("/start")
    assert "🏅 Đề xuất khen thưởng" in desk.buttons
    await desk.tap("Đề xuất khen thưởng")
    assert "Chưa có đề cử nào đã được duyệt mà chưa đề xuất khen thưởng" in desk.text


async def test_the_movements_form_counts_the_campaigns_movements(app: App) -> None:
    desk = await secretariat(app, "3001")
    replies = await desk.say("/xuat 0601")
    [made] = [r for r in replies if r.file is not None]
    assert made.file is not None and made.file.filename == "bieu-0601-2026.xlsx"
    sheet = openpyxl.load_workbook(made.file.path).active
    assert sheet is not None and sheet["A5"].value == "SỐ PHONG TRÀO THI ĐUA"
    # The campaign of 2026 launches nine movements (section III.1 of the plan it follows).
    assert [c.value for c in sheet[FIRST_ROW]] == ["TỔNG SỐ", "01", len(app.services.campaign.movements)]
    assert len(app.services.campaign.movements) == 9
    await desk.say("/xuat 0603 2019")
    assert "chưa có mẫu biểu 0603 áp dụng cho năm 2019" in desk.text
