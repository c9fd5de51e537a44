"""Units: CSV import with a dry run and row-numbered errors, history kept through renames and mergers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import App
from bot.domain.unit_import import plan_import
from bot.domain.units import Unit, UnitFields, UnitStatus, tree_lines
from bot.storage.reports import ReportRepo
from bot.storage.units import UnitRepo
from tests.conftest import CAMPAIGN, ROOT
from tests.roles import representative
from tests.test_reports import report_poverty

GROUPS = {"CUM1", "CUM2"}


def unit(code: str, name: str, parent: str | None = None, version: int = 1) -> Unit:
    return Unit(version_id=version, code=code, name=name, kind="district", parent=parent)


@pytest.mark.parametrize(
    ("csv", "error"),
    [
        ("code,name\nA,Xã A\n", "row 1: missing column(s) kind"),
        ("code,name,kind,color\nA,Xã A,commune,red\n", "row 1: unknown column(s) color"),
        ("code,name,kind\nA B,Xã A,commune\n", "row 2: bad code 'A B'"),
        ("code,name,kind\nA,Xã A,commune\nA,Xã A bis,commune\n", "row 3: duplicate code A (first on row 2)"),
        ("code,name,kind,parent\nA,Xã A,commune,NOWHERE\n", "row 2: unknown parent NOWHERE"),
        ("code,name,kind,group\nA,Xã A,commune,CUM9\n", "row 2: unknown cluster/block 'CUM9'"),
        ("code,name,kind,parent\nA,Xã A,commune,B\nB,Xã B,commune,A\n", "parents form a cycle"),
        ("code,name,kind,status\nA,Xã A,commune,merged\n", "row 2: a merged unit needs merged_into"),
    ],
)
def test_bad_files_name_the_row(csv: str, error: str) -> None:
    plan = plan_import(csv, [unit("H-X", "Huyện X")], GROUPS)
    assert any(error in e for e in plan.errors), plan.errors
    assert not plan.new and not plan.changed


def test_a_good_file_plans_new_changed_and_unchanged() -> None:
    current = [unit("H-X", "Huyện X"), unit("H-Y", "Huyện Y")]
    csv = "code,name,kind,parent,group\nh-x,Huyện X,district,,\nH-Y,Thị xã Y,district,,CUM1\nX-1,Xã Một,commune,H-X,CUM1\n"
    plan = plan_import(csv, current, GROUPS)
    assert plan.errors == []
    assert [f.code for f in plan.new] == ["X-1"] and plan.unchanged == 1
    assert [(before.name, after.name, after.group) for before, after in plan.changed] == [
        ("Huyện Y", "Thị xã Y", "CUM1")
    ]


def test_the_tree_nests_children() -> None:
    lines = tree_lines([unit("H-X", "Huyện X"), unit("X-1", "Xã Một", parent="H-X"), unit("T", "Tỉnh")])
    assert lines == ["H-X  Huyện X", "  X-1  Xã Một", "T  Tỉnh"]


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


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite'}", DATA_DIR=str(tmp_path), CAMPAIGN_FILE=str(CAMPAIGN))
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_the_import_command(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,kind,parent\nX-MYAN,Xã Mỹ An,commune,H-NOPE\n", encoding="utf-8")
    result = run_cli(tmp_path, "units", "import", str(bad))
    assert result.returncode == 1 and f"{bad}: row 2: unknown parent H-NOPE" in result.stdout

    good = tmp_path / "good.csv"
    good.write_text("code,name,kind,parent,group\nX-MYAN,Xã Mỹ An,commune,H-THAPMUOI,CUM1\n", encoding="utf-8")
    dry = run_cli(tmp_path, "units", "import", str(good), "--dry-run")
    assert "+ X-MYAN  Xã Mỹ An" in dry.stdout and "dry run: nothing was written" in dry.stdout
    assert "X-MYAN" not in run_cli(tmp_path, "units", "list").stdout
    assert run_cli(tmp_path, "units", "import", str(good)).returncode == 0
    listing = run_cli(tmp_path, "units", "list").stdout
    assert "H-THAPMUOI  Huyện Tháp Mười (CUM1)\n  X-MYAN  Xã Mỹ An (CUM1)" in listing


def test_invites_from_the_command_line(tmp_path: Path) -> None:
    created = run_cli(tmp_path, "invite", "create", "--unit", "H-LAPVO", "--uses", "3", "--expires", "2d")
    assert created.returncode == 0, created.stderr
    code = created.stdout.splitlines()[0]
    assert len(code) == 11 and code[5] == "-"
    listing = run_cli(tmp_path, "invite", "list").stdout
    assert "unit_rep" in listing and "H-LAPVO" in listing and "3 use(s) left" in listing and code not in listing
    assert run_cli(tmp_path, "invite", "revoke", "1").returncode == 0
    assert "revoked" in run_cli(tmp_path, "invite", "list").stdout
    bad = run_cli(tmp_path, "invite", "create", "--unit", "NOPE")
    assert bad.returncode == 2 and "no active unit" in bad.stdout
    assert "now an administrator" in run_cli(tmp_path, "admin", "add", "--user", "4242").stdout
