"""/baocao and /tinhtrang: versions, late marking with a fixed clock, and what each role sees."""

from __future__ import annotations

import datetime as dt
import sqlite3

from bot.app import App
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from bot.storage.reports import ReportRepo
from tests.chat import Person
from tests.roles import registered, representative

POVERTY = "Trong kỳ, huyện đã hỗ trợ vốn và sinh kế cho 320 hộ nghèo, xây 45 căn nhà đại đoàn kết."
OCOP = "Có thêm 6 sản phẩm OCOP 3 sao, trong đó 2 sản phẩm từ sen Tháp Mười."


def rows(app: App, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(app.db.path) as conn:
        return conn.execute(sql).fetchall()


async def report_poverty(rep: Person, households: str = "120", rate: str = "2,75") -> None:
    await rep.say("/baocao")
    assert "Báo cáo cho kỳ nào?" in rep.text
    await rep.tap("Báo cáo tổng kết năm 2026")
    await rep.tap("Giảm nghèo bền vững")
    assert any(b.startswith("☑ Giảm nghèo bền vững") for b in rep.buttons)
    await rep.tap("Xong (1 đã chọn)")
    await rep.say(POVERTY)
    assert "Số hộ thoát nghèo (hộ)" in rep.text
    await rep.say(households)
    await rep.say(rate)
    await rep.tap("Bỏ qua")
    assert "Xem lại trước khi gửi" in rep.text


async def test_a_report_with_indicators_and_its_reference(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await rep.say("/baocao")
    await rep.tap("Báo cáo tổng kết năm 2026")
    await rep.tap("Nông nghiệp, nông thôn mới")
    await rep.tap("Giảm nghèo bền vững")
    await rep.tap("Xong (2 đã chọn)")
    assert "Bước 3/8" in rep.text  # period, areas, then each area's narrative and indicators, files
    await rep.say(OCOP)
    await rep.say("6 sản phẩm")
    assert "cần một số nguyên" in rep.text
    await rep.say("6")
    await rep.say(POVERTY)
    await rep.say("1.234")  # thousands separator
    await rep.say("120")
    assert "nằm ngoài giới hạn" in rep.text and "từ 0 đến 100" in rep.text
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
    assert rows(app, "SELECT late FROM reports") == [(0,)]


async def test_an_amendment_is_a_new_version_prefilled_from_the_last(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(rep)
    await rep.tap("Gửi")
    await rep.say("/baocao")
    await rep.tap("Báo cáo tổng kết năm 2026")
    assert "v1" in rep.text and "v2" in rep.text and "Xem lại trước khi gửi" in rep.text
    await rep.tap("Sửa: Số hộ thoát nghèo")
    await rep.say("150")
    await rep.tap("Gửi")
    assert "BC-2026-CN-H-THAPMUOI-v2" in rep.text
    async with app.db.reading() as conn:
        versions = await ReportRepo(conn).versions("CN", "H-THAPMUOI")
    assert [(v.version, v.areas[0].values["HO-THOAT-NGHEO"]) for v in versions] == [(1, 120.0), (2, 150.0)]
    assert [a[0] for a in rows(app, "SELECT action FROM audit_log WHERE action LIKE 'report.%' ORDER BY id")] == [
        "report.submitted",
        "report.amended",
    ]


async def test_after_the_deadline_a_report_is_taken_and_marked_late(app: App, clock: FixedClock) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    clock.set(dt.datetime(2026, 12, 11, 3, 0, tzinfo=dt.UTC))  # the day after the deadline, 10:00 local
    await rep.say("/tinhtrang")
    assert "CHƯA GỬI, đã quá hạn 10/12/2026" in rep.text
    await report_poverty(rep)
    await rep.tap("Gửi")
    assert "nộp trễ" in rep.text
    assert rows(app, "SELECT reference, late FROM reports") == [("BC-2026-CN-H-THAPMUOI-v1", 1)]
    await rep.say("/tinhtrang")
    assert "đã gửi bản v1" in rep.text and "BC-2026-CN-H-THAPMUOI-v1, trễ hạn)" in rep.text


async def test_a_closed_period_is_not_offered(app: App, clock: FixedClock) -> None:
    rep = await representative(app, "11", "BAO-DT")
    clock.set(dt.datetime(2027, 2, 1, 3, 0, tzinfo=dt.UTC))
    await rep.say("/baocao")
    assert "không có kỳ báo cáo nào đang mở" in rep.text


async def test_someone_representing_two_units_picks_one(app: App) -> None:
    rep = await representative(app, "12", "H-LAIVUNG")
    await rep.say(f"/dangky {await _code(app, 'SO-TTTT')}")
    await rep.say("/baocao")
    assert set(rep.buttons) >= {"Huyện Lai Vung", "Sở Thông tin và Truyền thông"}
    await rep.tap("Sở Thông tin")
    # A department owes the year-end report but not the districts' digital phase.
    assert any("tổng kết năm" in b for b in rep.buttons) and not any("chuyển đổi số" in b for b in rep.buttons)


async def _code(app: App, unit: str) -> str:
    from tests.roles import invite_code

    return await invite_code(app, Grant(role=Role.UNIT_REP, unit_code=unit))


async def test_status_by_role(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(rep)
    await rep.tap("Gửi")
    council = await registered(app, "20", Grant(role=Role.COUNCIL, group_code="CUM1"))
    await council.say("/tinhtrang")
    assert "(7 đơn vị)" in council.text and "Đã gửi 1/7 đơn vị" in council.text
    assert "Huyện Lai Vung" in council.text and "Huyện Tân Hồng" not in council.text  # CUM2 is not theirs
    secretariat = await registered(app, "30", Grant(role=Role.SECRETARIAT))
    await secretariat.say("/tinhtrang")
    text = secretariat.text
    assert "toàn tỉnh" in text and "Đã gửi 1/18 đơn vị" in text
    assert "• Cụm thi đua số 1 (mẫu): 1/7" in text and "• Cụm thi đua số 2 (mẫu): 0/5" in text
    await rep.say("/tinhtrang")
    assert (
        "Huyện Tháp Mười" in rep.text
        and "đã gửi bản v1" in rep.text
        and "lúc 09:00 28/11/2026" in rep.text
        and "còn 33 ngày" in rep.text
    )


async def test_a_representative_nominates_on_behalf_of_the_unit(app: App) -> None:
    from tests.test_nomination_flow import answer_up_to_summary

    rep = await representative(app, "10", "H-THAPMUOI")
    await answer_up_to_summary(rep)
    await rep.tap("Gửi")
    citizen = Person(app, "99")
    await answer_up_to_summary(citizen)
    await citizen.tap("Gửi")
    assert rows(app, "SELECT reference, on_behalf_of_unit FROM nominations ORDER BY id") == [
        ("NTVT-2026-000001", "H-THAPMUOI"),
        ("NTVT-2026-000002", None),
    ]


async def test_reports_cannot_be_rewritten(app: App) -> None:
    import pytest

    rep = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(rep)
    await rep.tap("Gửi")
    with sqlite3.connect(app.db.path) as conn:
        for sql in ("UPDATE reports SET late = 1", "DELETE FROM report_values", "UPDATE audit_log SET action = 'x'"):
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(sql)
