"""Units keep their history: renames, mergers and retirements are new versions, and past reports keep
pointing at the unit as it was. The campaign file keeps its own units in step at every start."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.domain.units import UnitFields, UnitStatus
from bot.storage.reports import ReportRepo
from bot.storage.units import UnitRepo
from tests.support.config import CAMPAIGN, make_settings
from tests.support.conversations import report_poverty
from tests.support.roles import representative


async def test_a_report_keeps_the_unit_as_it_was(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(rep)
    await rep.tap("Gửi")
    now = app.services.clock.now()
    async with app.db.transaction() as conn:
        repo = UnitRepo(conn)
        await repo.record(UnitFields(code="X-NEW", name="Thị xã Tháp Mười", kind="town"), "test", now)
        await repo.record(
            UnitFields(
                code="H-THAPMUOI",
                name="Huyện Tháp Mười",
                kind="district",
                group="CUM1",
                status=UnitStatus.MERGED,
                merged_into="X-NEW",
            ),
            "test",
            now,
        )
    async with app.db.reading() as conn:
        report = await ReportRepo(conn).latest("CN", "H-THAPMUOI")
        history = await UnitRepo(conn).history("H-THAPMUOI")
        active = {u.code for u in await UnitRepo(conn).active()}
    assert report is not None and report.unit_name == "Huyện Tháp Mười"
    assert [u.status for u in history] == [UnitStatus.ACTIVE, UnitStatus.MERGED]
    assert "H-THAPMUOI" not in active and "X-NEW" in active
    await rep.say("/baocao")
    assert "không có kỳ báo cáo nào đang mở" in rep.text  # a merged unit no longer reports


async def test_a_renamed_unit_reports_under_its_new_name_and_the_old_report_keeps_the_old(app: App) -> None:
    rep = await representative(app, "10", "H-LAPVO")
    await report_poverty(rep)
    await rep.tap("Gửi")
    async with app.db.transaction() as conn:
        await UnitRepo(conn).record(
            UnitFields(code="H-LAPVO", name="Thị xã Lấp Vò", kind="town", group="CUM1"),
            "test",
            app.services.clock.now(),
        )
    await report_poverty(rep, amendment=True)
    await rep.tap("Gửi")
    assert "Đã nhận báo cáo của Thị xã Lấp Vò" in rep.text and "BC-2026-CN-H-LAPVO-v2" in rep.text
    async with app.db.reading() as conn:
        versions = await ReportRepo(conn).versions("CN", "H-LAPVO")
    assert [(v.version, v.unit_name) for v in versions] == [(1, "Huyện Lấp Vò"), (2, "Thị xã Lấp Vò")]


def campaign_with(tmp_path: Path, change: Any) -> Path:
    data = yaml.safe_load(CAMPAIGN.read_text(encoding="utf-8"))
    change(data["units"])
    path = tmp_path / f"campaign-{len(list(tmp_path.glob('campaign-*')))}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


async def current(app: App) -> dict[str, tuple[str, str, str]]:
    async with app.db.reading() as conn:
        return {u.code: (u.name, u.status.value, u.source) for u in await UnitRepo(conn).all()}


async def test_the_campaign_file_keeps_its_units_in_step(tmp_path: Path, clock: FixedClock) -> None:
    def rename_and_drop(units: list[dict[str, Any]]) -> None:
        units[:] = [u for u in units if u["code"] != "BAO-DT"]
        next(u for u in units if u["code"] == "TP-SADEC")["name"] = "Thành phố Sa Đéc (mới)"
        next(u for u in units if u["code"] == "H-LAIVUNG")["name"] = "Tên do tệp cấu hình đặt"
        units.append({"code": "X-TANTHUAN", "name": "Xã Tân Thuận", "kind": "commune", "parent": "H-LAIVUNG"})

    first = await build_app(make_settings(tmp_path), clock)
    async with first.db.transaction() as conn:
        # A CSV import took H-LAIVUNG over: the file no longer changes it.
        await UnitRepo(conn).record(
            UnitFields(code="H-LAIVUNG", name="Thị xã Lai Vung", kind="town", group="CUM1"), "csv:x.csv", clock.now()
        )
    await first.close()
    second = await build_app(make_settings(tmp_path, campaign_file=campaign_with(tmp_path, rename_and_drop)), clock)
    try:
        units = await current(second)
    finally:
        await second.close()
    assert units["TP-SADEC"] == ("Thành phố Sa Đéc (mới)", "active", "campaign")
    assert units["BAO-DT"] == ("Báo Đồng Tháp", "retired", "campaign")
    assert units["H-LAIVUNG"] == ("Thị xã Lai Vung", "active", "csv:x.csv")
    assert units["X-TANTHUAN"] == ("Xã Tân Thuận", "active", "campaign")
    with sqlite3.connect(tmp_path / "thidua.db") as db:
        versions = db.execute("SELECT COUNT(*) FROM unit_versions WHERE code = 'TP-SADEC'").fetchone()
        synced = db.execute("SELECT detail FROM audit_log WHERE action = 'units.synced' ORDER BY id").fetchall()
    assert versions == (2,) and len(synced) == 2  # the first start, then the changed file


async def test_a_restart_with_the_same_file_records_nothing(tmp_path: Path, clock: FixedClock) -> None:
    for _ in range(2):
        app = await build_app(make_settings(tmp_path), clock)
        await app.close()
    with sqlite3.connect(tmp_path / "thidua.db") as conn:
        assert conn.execute("SELECT COUNT(*), COUNT(DISTINCT code) FROM unit_versions").fetchone() == (18, 18)


async def test_unit_versions_cannot_be_rewritten(app: App) -> None:
    with sqlite3.connect(app.db.path) as conn:
        for sql in ("UPDATE unit_versions SET name = 'x'", "DELETE FROM unit_versions"):
            with pytest.raises(sqlite3.IntegrityError):
                conn.execute(sql)
