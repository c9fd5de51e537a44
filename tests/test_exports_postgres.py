"""/xuat in chat and `python -m bot export` on both engines: the same files and counts from PostgreSQL as
from a SQLite file (on PostgreSQL the chat gave an internal error, and the command read no file)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import openpyxl

from bot.app import App
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from bot.domain.reports import AreaReport
from bot.domain.units import UnitFields
from bot.storage.units import UnitRepo
from tests.support.config import CAMPAIGN, ROOT
from tests.support.exports import phones_in, report, seed, user
from tests.support.roles import registered

BOTH_ENGINES = True

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_xuat_sends_the_workbook_with_its_counts(app: App) -> None:
    await seed(app)
    desk = await registered(app, "8001", Grant(role=Role.SECRETARIAT))
    replies = await desk.say("/xuat CN xlsx")
    [sent] = [r for r in replies if r.file is not None]
    assert sent.file is not None and sent.file.mime == XLSX and sent.file.path.is_file()
    assert "6 đề cử, 4 dòng báo cáo, 15 đơn vị chưa báo cáo." in sent.text
    assert phones_in(sent.file.path) == []


async def test_the_command_line_writes_every_file_from_the_database(app: App, tmp_path: Path) -> None:
    await seed(app)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_", "ADMIN_"))},
        "DATABASE_URL": app.settings.database_url,
        "DATA_DIR": str(tmp_path / "cli-data"),
        "CAMPAIGN_FILE": str(CAMPAIGN),
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "export", "--period", "cn", "--out", str(tmp_path / "out")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    written = [Path(line.split("  ")[0]) for line in lines[1:4]]
    assert [p.suffix for p in written] == [".xlsx", ".docx", ".docx"] and all(p.is_file() for p in written)
    assert lines[1].endswith("6 nominations, 4 reports, 15 unreported")
    assert lines[2].endswith("2 entries")


async def test_on_a_database_that_sorts_text_by_language_units_outside_any_group_still_come_last(
    app_sorting_by_language: App, clock: FixedClock
) -> None:
    # Rows were ordered by the group with "~" standing for none: last by bytes, but first in ICU's English order.
    app = app_sorting_by_language
    await seed(app)
    async with app.db.transaction() as conn:
        await UnitRepo(conn).record(UnitFields(code="X-MOI", name="Xã Mới", kind="commune"), "import", clock.now())
    rep = await user(app, "5009", "Đại diện xã")
    await report(app, rep, "X-MOI", [AreaReport(area_code="ND01", narrative="Học tập nghị quyết.")])
    desk = await registered(app, "8001", Grant(role=Role.SECRETARIAT))
    [sent] = [r for r in await desk.say("/xuat CN xlsx") if r.file is not None]
    assert sent.file is not None
    sheet = openpyxl.load_workbook(sent.file.path)["Báo cáo"]
    units = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert units == ["H-LAPVO", "H-THAPMUOI", "H-THAPMUOI", "SO-NOIVU", "X-MOI"]
