"""/tinhtrang by role: a representative's units, a council member's charge, the province by cluster/block."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app import App
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from bot.domain.units import UnitFields
from bot.storage.units import UnitRepo
from tests.support.conversations import report_poverty
from tests.support.roles import invite_code, registered, representative

# Who has reported is counted in SQL that differs between the engines (joining the units' codes).
BOTH_ENGINES = True


async def test_status_by_role(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(rep)
    await rep.tap("Gửi")
    council = await registered(app, "20", Grant(role=Role.COUNCIL, group_code="CUM1"))
    await council.say("/tinhtrang")
    assert "(7 đơn vị)" in council.text and "Đã gửi 1/7 đơn vị" in council.text
    assert "Huyện Lai Vung" in council.text and "Huyện Tân Hồng" not in council.text  # CUM2 is not theirs
    assert "toàn tỉnh" not in council.text
    secretariat = await registered(app, "30", Grant(role=Role.SECRETARIAT))
    await secretariat.say("/tinhtrang")
    text = secretariat.text
    assert "toàn tỉnh" in text and "Đã gửi 1/18 đơn vị" in text
    # Clusters then blocks, in the campaign's order.
    order = [text.index(name) for name in ("• Cụm thi đua số 1", "• Cụm thi đua số 2", "• Khối Văn hóa", "• Khối Đảng")]
    assert order == sorted(order)
    assert "• Cụm thi đua số 1 (mẫu): 1/7" in text and "• Cụm thi đua số 2 (mẫu): 0/5" in text
    assert "Đợt thi đua chuyển đổi số (quý IV/2026) — hạn 31/12/2026\nĐã gửi 0/12 đơn vị" in text
    await rep.say("/tinhtrang")
    assert "🏢 Huyện Tháp Mười" in rep.text
    assert "đã gửi bản v1 lúc 09:00 28/11/2026 (BC-2026-CN-H-THAPMUOI-v1)" in rep.text
    assert "Đợt thi đua chuyển đổi số (quý IV/2026): chưa gửi, hạn 31/12/2026 (còn 33 ngày)" in rep.text


async def test_a_representative_sees_every_version_with_its_time(app: App, clock: FixedClock) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(rep)
    await rep.tap("Gửi")
    clock.advance(dt.timedelta(days=1, hours=5, minutes=30))
    await report_poverty(rep, amendment=True)
    await rep.tap("Gửi")
    await rep.say("/tinhtrang")
    assert "đã gửi bản v2 lúc 14:30 29/11/2026 (BC-2026-CN-H-THAPMUOI-v2)" in rep.text
    assert "Các bản trước: v1 09:00 28/11" in rep.text


async def test_someone_with_two_roles_sees_both_views(app: App) -> None:
    person = await registered(app, "40", Grant(role=Role.COUNCIL, unit_code="H-LAPVO"))
    await person.say(f"/dangky {await invite_code(app, Grant(role=Role.UNIT_REP, unit_code='BAO-DT'))}")
    await person.say("/tinhtrang")
    assert "Các đơn vị bạn phụ trách (1 đơn vị)" in person.text and "chưa gửi: Huyện Lấp Vò" in person.text
    assert "🏢 Báo Đồng Tháp" in person.text
    # A newspaper owes the year-end report, not the districts' digital phase.
    assert "Báo cáo tổng kết năm 2026: chưa gửi" in person.text
    assert "chuyển đổi số (quý IV/2026): chưa gửi" not in person.text.split("🏢 Báo Đồng Tháp")[1]


async def test_when_no_period_is_open(app: App, clock: FixedClock) -> None:
    clock.set(dt.datetime(2026, 3, 1, 3, 0, tzinfo=dt.UTC))
    rep = await representative(app, "10", "H-THAPMUOI")
    await rep.say("/tinhtrang")
    assert "Hiện không có kỳ báo cáo nào đang mở" in rep.text
    await rep.say("/baocao")
    assert "Hiện không có kỳ báo cáo nào đang mở cho đơn vị của bạn" in rep.text


async def test_in_english(app: App) -> None:
    secretariat = await registered(app, "30", Grant(role=Role.SECRETARIAT))
    await secretariat.say("/lang en")
    await secretariat.say("/status")
    assert "Reporting across the province" in secretariat.text
    assert "Year-end summary report 2026 — due 10/12/2026" in secretariat.text
    assert "• Emulation cluster 1 (sample): 0/7 — not yet: " in secretariat.text


async def _add_unit(app: App, code: str, name: str, group: str, status: str = "active") -> None:
    # Straight into the table, as another process (the unit import) would write it: this process is not told.
    async with app.db.transaction() as conn:
        await conn.execute(
            "INSERT INTO unit_versions (code, name, name_key, code_key, kind, parent_code, group_code, status,"
            " source, recorded_at) VALUES (?, ?, ?, ?, 'district', NULL, ?, ?, 'csv:elsewhere.csv',"
            " '2026-11-28T02:00:00Z')",
            (code, name, name.lower(), code.lower(), group, status),
        )


async def test_the_province_follows_units_changed_by_another_process(app: App) -> None:
    secretariat = await registered(app, "30", Grant(role=Role.SECRETARIAT))
    await secretariat.say("/tinhtrang")
    assert "• Cụm thi đua số 1 (mẫu): 0/7" in secretariat.text
    await _add_unit(app, "H-MOI", "Huyện Mới Lập", "CUM1")
    await secretariat.say("/tinhtrang")
    assert "• Cụm thi đua số 1 (mẫu): 0/8" in secretariat.text and "Đã gửi 0/19 đơn vị" in secretariat.text
    await _add_unit(app, "H-MOI", "Huyện Mới Lập", "CUM1", status="retired")
    await secretariat.say("/tinhtrang")
    assert "• Cụm thi đua số 1 (mẫu): 0/7" in secretariat.text and "Huyện Mới Lập" not in secretariat.text


async def test_the_province_follows_a_unit_renamed_here(app: App) -> None:
    secretariat = await registered(app, "30", Grant(role=Role.SECRETARIAT))
    await secretariat.say("/tinhtrang")
    assert "Huyện Lai Vung" in secretariat.text
    async with app.db.transaction() as conn:
        unit = await UnitRepo(conn).get("H-LAIVUNG")
        assert unit is not None
        fields = UnitFields(
            code=unit.code, name="Thị xã Lai Vung", kind=unit.kind, parent=unit.parent, group=unit.group
        )
        await UnitRepo(conn).record(fields, "csv:rename.csv", dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC))
    await secretariat.say("/tinhtrang")
    assert "Thị xã Lai Vung" in secretariat.text and "Huyện Lai Vung" not in secretariat.text


async def test_a_unit_recorded_then_rolled_back_is_not_counted(app: App) -> None:
    secretariat = await registered(app, "30", Grant(role=Role.SECRETARIAT))
    fields = UnitFields(code="H-BO", name="Huyện Bỏ Dở", kind="district", group="CUM1")
    with pytest.raises(RuntimeError):
        async with app.db.transaction() as conn:
            await UnitRepo(conn).record(fields, "csv:aborted.csv", dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC))
            assert "H-BO" in (await UnitRepo(conn).active_units()).names
            raise RuntimeError("the import stops")
    # Another process's version may take the rolled-back one's id.
    await _add_unit(app, "H-MOI", "Huyện Mới Lập", "CUM1")
    await secretariat.say("/tinhtrang")
    assert "Huyện Mới Lập" in secretariat.text and "Huyện Bỏ Dở" not in secretariat.text
    assert "• Cụm thi đua số 1 (mẫu): 0/8" in secretariat.text
