"""/baocao as a representative lives it: areas ticked, figures checked, versions, late marking."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from bot.app import App
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from bot.storage.reports import ReportRepo
from bot.storage.roles import RoleRepo
from tests.support.chat import Person
from tests.support.conversations import POVERTY, YEAR_END, report_poverty
from tests.support.db import rows
from tests.support.roles import invite_code, registered, representative

OCOP = "Có thêm 6 sản phẩm OCOP 3 sao, trong đó 2 sản phẩm từ sen Tháp Mười."


async def test_a_report_with_indicators_and_its_reference(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await rep.say("/baocao")
    assert "Bước 1/3" in rep.text  # one unit: no unit question; period, areas, files until areas are picked
    await rep.tap(YEAR_END)
    await rep.tap("Nông nghiệp, nông thôn mới")
    await rep.tap("Giảm nghèo bền vững")
    await rep.tap("Xong (2 đã chọn)")
    assert "Bước 3/8" in rep.text  # period, areas, then each area's narrative and indicators, files
    await rep.say(OCOP)
    await rep.say("6 sản phẩm")
    assert "cần một số nguyên" in rep.text
    # A fraction in a whole number is told as such, not as letters.
    await rep.say("5,5")
    assert "có phần lẻ" in rep.text and "chữ" not in rep.text.split("\n\n")[0]
    await rep.say("6")
    await rep.say(POVERTY)
    await rep.say("1.234")  # a thousands separator in a whole number
    await rep.say("120")
    assert "nằm ngoài giới hạn" in rep.text and "từ 0 đến 100" in rep.text  # re-asked with the bounds
    await rep.say("12.5")
    await rep.tap("Bỏ qua")
    summary = rep.text
    assert "Đơn vị: Huyện Tháp Mười" in summary and "1234 hộ" in summary and "12,5 %" in summary
    await rep.tap("Gửi")
    assert "BC-2026-CN-H-THAPMUOI-v1" in rep.text
    assert rows(app, "SELECT area_code, indicator_code, value FROM report_values ORDER BY 1, 2") == [
        ("ND04", "OCOP-MOI", 6.0),
        ("ND16", "HO-THOAT-NGHEO", 1234.0),
        ("ND16", "TY-LE-NGHEO", 12.5),
    ]
    assert rows(app, "SELECT late, channel FROM reports") == [(0, "console")]


@pytest.mark.parametrize("typed", ["12,5", "12.5", " 12,5 % "])
async def test_a_decimal_with_a_comma_or_a_point(app: App, typed: str) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(rep, rate=typed)
    await rep.tap("Gửi")
    assert rows(app, "SELECT value FROM report_values WHERE indicator_code = 'TY-LE-NGHEO'") == [(12.5,)]


async def test_areas_ticked_by_typing_untick_and_none_is_refused(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await rep.say("/baocao")
    await rep.tap(YEAR_END)
    await rep.tap("Xong (0 đã chọn)")
    assert "cần chọn ít nhất 1 nội dung" in rep.text
    await rep.say("du lich")  # part of a name, without diacritics
    await rep.say("10")  # the number of a choice, as on a messenger without buttons
    assert "☑ Du lịch" in rep.buttons and "☑ Tài nguyên, môi trường, ứng phó biến đổi khí hậu" in rep.buttons
    await rep.tap("Tài nguyên")  # untick
    await rep.say("nội dung")  # names several areas: explained, nothing ticked
    assert "bấm vào từng nội dung" in rep.text
    await rep.tap("Xong (1 đã chọn)")
    assert "Du lịch" in rep.text and "Bước 3/4" in rep.text


async def test_back_and_edit_follow_the_areas_picked(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(rep)
    await rep.tap("Sửa: Nội dung thi đua")
    await rep.tap("Du lịch")
    await rep.tap("Giảm nghèo")
    await rep.tap("Xong (1 đã chọn)")
    assert "Du lịch" in rep.text  # the new area's question, before going back to the summary
    await rep.say("Đón 1,2 triệu lượt khách, tăng 15% so với cùng kỳ.")
    assert "Xem lại trước khi gửi" in rep.text and "Số hộ thoát nghèo" not in rep.text
    await rep.say("/quaylai")
    assert "Bước 4/4" in rep.text and "Gửi tối đa 5 tệp" in rep.text
    await rep.say("/quaylai")
    # Back over the steps the answers now have: the tourism narrative, not the poverty figures.
    assert "Bước 3/4" in rep.text and "Trả lời trước đây: Đón 1,2 triệu lượt khách" in rep.text
    await rep.say("Đón 1,2 triệu lượt khách, tăng 15% so với cùng kỳ năm trước.")
    await rep.tap("Bỏ qua")
    await rep.tap("Gửi")
    assert rows(app, "SELECT area_code FROM report_areas") == [("ND11",)]
    assert rows(app, "SELECT COUNT(*) FROM report_values") == [(0,)]


async def test_an_amendment_is_a_new_version_prefilled_from_the_last(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(rep)
    await rep.tap("Gửi")
    await rep.say("/baocao")
    assert any("đã gửi v1" in b for b in rep.buttons)
    await rep.tap(YEAR_END)
    assert "Bản sửa đổi: thay cho v1, gửi đi sẽ là v2" in rep.text and "120 hộ" in rep.text
    await rep.tap("Sửa: Số hộ thoát nghèo")
    await rep.say("150")
    await rep.tap("Gửi")
    assert "BC-2026-CN-H-THAPMUOI-v2" in rep.text
    async with app.db.reading() as conn:
        versions = await ReportRepo(conn).versions("CN", "H-THAPMUOI")
    # Every version stays readable; the latest counts.
    assert [(v.version, v.areas[0].values["HO-THOAT-NGHEO"]) for v in versions] == [(1, 120.0), (2, 150.0)]
    assert rows(app, "SELECT action, subject FROM audit_log WHERE action LIKE 'report.%' ORDER BY id") == [
        ("report.submitted", "BC-2026-CN-H-THAPMUOI-v1"),
        ("report.amended", "BC-2026-CN-H-THAPMUOI-v2"),
    ]


async def test_after_the_deadline_a_report_is_taken_and_marked_late(app: App, clock: FixedClock) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(rep)
    await rep.tap("Gửi")  # v1 on time
    clock.set(dt.datetime(2026, 12, 11, 3, 0, tzinfo=dt.UTC))  # the day after the deadline, 10:00 local
    other = await representative(app, "11", "H-LAPVO")
    await other.say("/tinhtrang")
    assert "CHƯA GỬI, đã quá hạn 10/12/2026" in other.text
    await report_poverty(other)
    await other.tap("Gửi")
    assert "nộp trễ" in other.text
    await report_poverty(rep, amendment=True)
    await rep.tap("Gửi")
    assert rows(app, "SELECT reference, late FROM reports ORDER BY id") == [
        ("BC-2026-CN-H-THAPMUOI-v1", 0),
        ("BC-2026-CN-H-LAPVO-v1", 1),
        ("BC-2026-CN-H-THAPMUOI-v2", 1),
    ]
    await other.say("/tinhtrang")
    assert "đã gửi bản v1 lúc 10:00 11/12/2026 (BC-2026-CN-H-LAPVO-v1, trễ hạn)" in other.text
    secretariat = await registered(app, "30", Grant(role=Role.SECRETARIAT))
    await secretariat.say("/tinhtrang")
    # Tháp Mười's first version was on time: amending after the deadline does not make the unit late.
    assert "Đã gửi 2/18 đơn vị, trong đó 1 trễ hạn" in secretariat.text


async def test_a_closed_period_is_not_offered_and_a_draft_cannot_be_sent_after_it(app: App, clock: FixedClock) -> None:
    rep = await representative(app, "11", "BAO-DT")
    clock.set(dt.datetime(2027, 1, 15, 3, 0, tzinfo=dt.UTC))  # the period's last day
    await rep.say("/baocao")
    await rep.tap(YEAR_END)
    await rep.tap("Giảm nghèo")
    await rep.tap("Xong")
    await rep.say(POVERTY)
    await rep.say("3")
    await rep.say("1")
    await rep.tap("Bỏ qua")
    clock.set(dt.datetime(2027, 1, 16, 3, 0, tzinfo=dt.UTC))  # the day after it closed
    await rep.tap("Gửi")
    assert "Kỳ báo cáo này đã đóng" in rep.text
    assert rows(app, "SELECT COUNT(*) FROM reports") == [(0,)]
    await rep.say("/baocao")
    assert "không có kỳ báo cáo nào đang mở" in rep.text


async def test_someone_representing_two_units_picks_one(app: App) -> None:
    rep = await representative(app, "12", "H-LAIVUNG")
    await rep.say(f"/dangky {await invite_code(app, Grant(role=Role.UNIT_REP, unit_code='SO-TTTT'))}")
    await rep.say("/baocao")
    assert "Bước 1/4" in rep.text and set(rep.buttons) >= {"Huyện Lai Vung", "Sở Thông tin và Truyền thông"}
    await rep.tap("Sở Thông tin")
    # A department owes the year-end report but not the districts' digital phase.
    assert any("tổng kết năm" in b for b in rep.buttons) and not any("chuyển đổi số" in b for b in rep.buttons)


async def test_a_withdrawn_role_stops_the_draft_at_submit(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(rep)
    async with app.db.transaction() as conn:
        user = (await RoleRepo(conn).representatives_of("H-THAPMUOI"))[0]
        await RoleRepo(conn).revoke(
            user.id, Grant(role=Role.UNIT_REP, unit_code="H-THAPMUOI"), app.services.clock.now(), channel="cli"
        )
    await rep.tap("Gửi")
    assert "Chỉ cán bộ được đơn vị giao gửi báo cáo" in rep.text
    assert rows(app, "SELECT COUNT(*) FROM reports") == [(0,)]
    assert rows(app, "SELECT action FROM audit_log WHERE action LIKE 'role.%' ORDER BY id") == [
        ("role.granted",),
        ("role.revoked",),
    ]


async def test_in_english_the_questions_and_figures_are_english(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await rep.say("/lang en")
    await rep.say("/report")
    await rep.tap("Year-end summary report 2026")
    await rep.tap("Sustainable poverty reduction")
    await rep.tap("Done (1 ticked)")
    assert "Sustainable poverty reduction and social issues" in rep.text and "Summarise" in rep.text
    await rep.say(POVERTY)
    await rep.say("120")
    await rep.say("2,75")
    await rep.tap("Skip")
    assert "Poverty rate at the end of the period: 2.75 %" in rep.text


async def test_a_representative_nominates_on_behalf_of_the_unit(app: App) -> None:
    from tests.support.conversations import answer_up_to_summary

    rep = await representative(app, "10", "H-THAPMUOI")
    await answer_up_to_summary(rep)
    assert "Đề cử nhân danh đơn vị: Huyện Tháp Mười" in rep.text
    await rep.tap("Gửi")
    citizen = Person(app, "99")
    await answer_up_to_summary(citizen)
    assert "nhân danh" not in citizen.text
    await citizen.tap("Gửi")
    assert rows(app, "SELECT reference, on_behalf_of_unit FROM nominations ORDER BY id") == [
        ("NTVT-2026-000001", "H-THAPMUOI"),
        ("NTVT-2026-000002", None),
    ]
    assert rows(app, "SELECT action, subject FROM audit_log WHERE action = 'nomination.submitted' ORDER BY id") == [
        ("nomination.submitted", "NTVT-2026-000001"),
        ("nomination.submitted", "NTVT-2026-000002"),
    ]


async def test_a_representative_of_two_units_says_which_one_nominates(app: App) -> None:
    rep = await representative(app, "12", "H-LAIVUNG")
    await rep.say(f"/dangky {await invite_code(app, Grant(role=Role.UNIT_REP, unit_code='SO-TTTT'))}")
    await rep.say("/decu")
    assert "Bước 1/10" in rep.text and "nhân danh đơn vị nào" in rep.text
    await rep.tap("Sở Thông tin")
    assert "Bước 2/10" in rep.text
    from tests.support.conversations import DEED

    await rep.tap("Tập thể")
    await rep.say("Đội văn nghệ xã Tân Thành")
    await rep.say("lai vung")
    await rep.tap("nông thôn mới")
    await rep.say(DEED)
    await rep.tap("Bỏ qua")
    await rep.tap("Ẩn danh")
    await rep.tap("Tôi xác nhận")
    assert "Đề cử nhân danh đơn vị: Sở Thông tin và Truyền thông" in rep.text
    await rep.tap("Gửi")
    assert rows(app, "SELECT unit_code, on_behalf_of_unit FROM nominations") == [("H-LAIVUNG", "SO-TTTT")]


async def test_reports_cannot_be_rewritten(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(rep)
    await rep.tap("Gửi")
    with sqlite3.connect(app.db.path) as conn:
        for sql in (
            "UPDATE reports SET late = 1",
            "DELETE FROM reports",
            "UPDATE report_areas SET narrative = 'x'",
            "DELETE FROM report_values",
        ):
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(sql)


async def test_changing_the_unit_asks_for_the_period_again(app: App) -> None:
    rep = await representative(app, "12", "H-LAIVUNG")
    await rep.say(f"/dangky {await invite_code(app, Grant(role=Role.UNIT_REP, unit_code='SO-TTTT'))}")
    await rep.say("/baocao")
    await rep.tap("Huyện Lai Vung")
    await rep.tap(YEAR_END)
    await rep.tap("Giảm nghèo bền vững")
    await rep.tap("Xong (1 đã chọn)")
    await rep.say(POVERTY)
    await rep.say("120")
    await rep.say("2,75")
    await rep.tap("Bỏ qua")
    assert "Xem lại trước khi gửi" in rep.text
    await rep.tap("Sửa: Đơn vị")
    await rep.tap("Sở Thông tin")
    # The period picked was the district's: the department is asked for its own, not sent to the summary.
    assert "Báo cáo cho kỳ nào?" in rep.text and "Xem lại trước khi gửi" not in rep.text


async def test_areas_are_kept_in_the_order_of_the_list_not_of_the_ticks(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await rep.say("/baocao")
    await rep.tap(YEAR_END)
    await rep.tap("Giảm nghèo bền vững")
    await rep.tap("Nông nghiệp, nông thôn mới")
    await rep.tap("Xong (2 đã chọn)")
    # Agriculture comes before poverty reduction in the campaign's list: its narrative is asked first.
    assert "Nông nghiệp, nông thôn mới" in rep.text and "Giảm nghèo" not in rep.text
