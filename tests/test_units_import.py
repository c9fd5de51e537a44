"""Units from a CSV file: a dry run that shows what would change, errors that name the row, the tree."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.domain.unit_import import plan_import
from bot.domain.units import Unit, UnitStatus, tree_lines
from tests.support.cli import Cli
from tests.support.config import ROOT
from tests.support.console import env_for

GROUPS = {"CUM1", "CUM2"}


def unit(code: str, name: str, parent: str | None = None, group: str | None = None) -> Unit:
    return Unit(version_id=1, code=code, name=name, kind="district", parent=parent, group=group)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Cli:
    return Cli(monkeypatch, capsys, tmp_path)


@pytest.mark.parametrize(
    ("csv", "error"),
    [
        ("code,name\nA,Xã A\n", "row 1: missing column(s) kind"),
        ("code,name,kind,color\nA,Xã A,commune,red\n", "row 1: unknown column(s) color"),
        ("code,name,kind\nA B,Xã A,commune\n", "row 2: bad code 'A B'"),
        ("code,name,kind\nÁ,Xã A,commune\n", "row 2: bad code 'Á'"),
        ("code,name,kind\nA,X,commune\n", "row 2: name must be 2 to 200 characters"),
        ("code,name,kind\nA,Xã A,\n", "row 2: kind is empty"),
        ("code,name,kind\nA,Xã A,commune\nB,Xã B,commune,extra\n", "row 3: more values than the 3 columns"),
        ("code,name,kind\nA,Xã A,commune\nA,Xã A bis,commune\n", "row 3: duplicate code A (first on row 2)"),
        ("code,name,kind\nA,Xã A,commune\na,Xã A bis,commune\n", "row 3: duplicate code A (first on row 2)"),
        ("code,name,kind,parent\nA,Xã A,commune,NOWHERE\n", "row 2: unknown parent NOWHERE"),
        ("code,name,kind,parent\nA,Xã A,commune,A\n", "row 2: a unit cannot be its own parent"),
        ("code,name,kind,group\nA,Xã A,commune,CUM9\n", "row 2: unknown cluster/block 'CUM9'"),
        ("code,name,kind,status\nA,Xã A,commune,closed\n", "row 2: status must be active, merged or retired"),
        ("code,name,kind,status\nA,Xã A,commune,merged\n", "row 2: a merged unit needs merged_into"),
        ("code,name,kind,status,merged_into\nA,Xã A,commune,merged,A\n", "row 2: a unit cannot be merged into itself"),
        ("code,name,kind,merged_into\nA,Xã A,commune,H-X\n", "row 2: merged_into is only for a unit whose status"),
        # The cycle runs through a unit the database already has: the row that closes it is named.
        ("code,name,kind,parent\nH-X,Huyện X,district,B\nB,Xã B,commune,H-X\n", "row 2: parents form a cycle"),
    ],
)
def test_bad_files_name_the_row(csv: str, error: str) -> None:
    plan = plan_import(csv, [unit("H-X", "Huyện X")], GROUPS)
    assert any(error in e for e in plan.errors), plan.errors
    assert not plan.new and not plan.changed


def test_every_problem_is_listed_not_only_the_first() -> None:
    csv = "code,name,kind,parent\nA B,Xã A,commune,\nC,Xã C,,\nD,Xã D,commune,NOPE\n"
    errors = plan_import(csv, [], GROUPS).errors
    assert [e.split(":")[0] for e in errors] == ["row 2", "row 3", "row 4"]


def test_a_good_file_plans_new_changed_and_unchanged() -> None:
    current = [unit("H-X", "Huyện X"), unit("H-Y", "Huyện Y")]
    csv = "code,name,kind,parent,group\nh-x,Huyện X,district,,\nH-Y,Thị xã Y,district,,CUM1\nX-1,Xã Một,commune,H-X,CUM1\n"
    plan = plan_import(csv, current, GROUPS)
    assert plan.errors == []
    assert [f.code for f in plan.new] == ["X-1"] and plan.unchanged == 1
    assert [(before.name, after.name, after.group) for before, after in plan.changed] == [
        ("Huyện Y", "Thị xã Y", "CUM1")
    ]


def test_a_file_without_optional_columns_keeps_what_the_units_had() -> None:
    current = [unit("T", "Tỉnh"), unit("H-X", "Huyện X", parent="T", group="CUM2")]
    plan = plan_import("code,name,kind\nH-X,Thị xã X,town\n", current, GROUPS)
    assert [(a.name, a.kind, a.parent, a.group) for _, a in plan.changed] == [("Thị xã X", "town", "T", "CUM2")]


def test_merging_and_retiring() -> None:
    current = [unit("H-X", "Huyện X"), unit("H-Y", "Huyện Y"), unit("H-Z", "Huyện Z")]
    csv = "code,name,kind,status,merged_into\nH-X,Huyện X,district,merged,h-y\nH-Z,Huyện Z,district,retired,\n"
    plan = plan_import(csv, current, GROUPS)
    assert [(a.code, a.status, a.merged_into) for _, a in plan.changed] == [
        ("H-X", UnitStatus.MERGED, "H-Y"),
        ("H-Z", UnitStatus.RETIRED, None),
    ]


def test_the_tree_nests_children_at_any_depth() -> None:
    units = [
        unit("T", "Tỉnh"),
        unit("H-X", "Huyện X", parent="T"),
        unit("X-1", "Xã Một", parent="H-X"),
        unit("A-1", "Ấp Một", parent="X-1"),
        unit("S", "Sở A"),
    ]
    assert tree_lines(units) == ["S  Sở A", "T  Tỉnh", "  H-X  Huyện X", "    X-1  Xã Một", "      A-1  Ấp Một"]


def test_import_dry_run_then_import_then_list(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,kind,parent\nX-MYAN,Xã Mỹ An,commune,H-NOPE\nX-2,Xã Hai,,\n", encoding="utf-8")
    code, out = cli("units", "import", str(bad))
    assert code == 1 and "nothing imported, 2 problem(s)" in out
    assert f"{bad}: row 2: unknown parent H-NOPE" in out and f"{bad}: row 3: kind is empty" in out

    good = tmp_path / "good.csv"
    good.write_text(
        "code,name,kind,parent,group\nX-MYAN,Xã Mỹ An,commune,H-THAPMUOI,CUM1\nH-LAPVO,Thị xã Lấp Vò,town,,CUM1\n",
        encoding="utf-8",
    )
    code, out = cli("units", "import", str(good), "--dry-run")
    assert code == 0 and "+ X-MYAN  Xã Mỹ An" in out and "~ H-LAPVO  name: Huyện Lấp Vò → Thị xã Lấp Vò" in out
    assert "1 new, 1 changed, 0 unchanged" in out and "dry run: nothing was written" in out
    assert "X-MYAN" not in cli("units", "list")[1]

    assert cli("units", "import", str(good))[0] == 0
    listing = cli("units", "list")[1]
    # The tree: under its cluster, the commune under its district.
    assert "\nCUM1  Cụm thi đua số 1 (mẫu) — " in "\n" + listing
    assert "  H-THAPMUOI  Huyện Tháp Mười (CUM1)\n    X-MYAN  Xã Mỹ An (CUM1)" in listing
    assert "H-LAPVO  Thị xã Lấp Vò (CUM1)" in listing
    code, out = cli("units", "history", "h-lapvo")
    assert code == 0 and out.count("\n") == 2 and "Huyện Lấp Vò" in out and "from csv:good.csv" in out
    # Importing the same file again changes nothing.
    assert "0 new, 0 changed, 2 unchanged" in cli("units", "import", str(good))[1]
    with sqlite3.connect(cli.db) as conn:
        assert conn.execute("SELECT action, channel, subject FROM audit_log WHERE action = 'units.imported'").fetchall()


@pytest.mark.long
def test_the_command_line_as_a_process(tmp_path: Path) -> None:
    # One real `python -m bot` process: the entry point, its --help and a tree on a fresh database.
    env = env_for(tmp_path)
    help_text = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    ).stdout
    for command in ("units", "invite", "admin", "reports"):
        assert command in help_text
    listing = subprocess.run(
        [sys.executable, "-m", "bot", "units", "list"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert listing.returncode == 0 and "TP-CAOLANH  Thành phố Cao Lãnh (CUM1)" in listing.stdout


@pytest.mark.parametrize(
    ("csv", "error"),
    [
        (
            'code,name,kind\nA,Xã A,commune\nB,"Xã B,commune\nC,Xã C,commune\n',
            'row 3: a quote (") opened in this row is never closed',
        ),
        ('code,name,kind\nA,Xã A,commune\nB,"Xã "B",commune\n', "row 3: not readable as CSV"),
        (
            'code,name,kind\nA,=HYPERLINK("http://x"),commune\n',
            "row 2: name starts with '=', which a spreadsheet would run",
        ),
        ("code,name,kind\nA,@SUM(1),commune\n", "row 2: name starts with '@'"),
        ("code,name,kind\nA,Xã\x00 A,commune\n", "row 2: name holds a control character (U+0000)"),
        ("code,name,kind\nA,Xã\x1b[31m A,commune\n", "row 2: name holds a control character (U+001B)"),
    ],
)
def test_what_a_spreadsheet_or_a_terminal_would_trip_on_is_refused(csv: str, error: str) -> None:
    plan = plan_import(csv, [], GROUPS)
    assert any(error in e for e in plan.errors), plan.errors
    assert not plan.new


def test_a_semicolon_separated_file_is_read_and_said_so() -> None:
    plan = plan_import("code;name;kind\nA;Xa\u0303 A;commune\n", [], GROUPS)
    assert plan.errors == [] and [(u.code, u.name) for u in plan.new] == [("A", "Xã A")]  # NFC too
    assert plan.notes == ["row 1: the columns are separated by ';' and were read so"]


def test_a_file_that_is_not_utf8_names_the_row_and_how_to_save_it(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    good = "code,name,kind\nA,Xã A,commune\nB,Xa B".encode()
    path.write_bytes(good + b"\xecnh,commune\n")  # "ì" as Windows-1252 wrote it
    code, out = cli("units", "import", str(path))
    assert code == 1
    assert out.splitlines() == [
        f'{path}: nothing imported: row 3: not UTF-8 (byte 0xec at byte {len(good)}); save the file as "CSV UTF-8" '
        "(in Excel: Save As, then CSV UTF-8 (Comma delimited)) and import it again"
    ]
