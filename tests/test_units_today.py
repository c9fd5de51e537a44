"""The shipped campaign is the province since 1 July 2025: 102 communes and wards with official codes, the
provincial bodies after the mergers, a succession table whose every code exists, and the official code
list imported with its own columns."""

from __future__ import annotations

import csv
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from bot.campaign_loader import CampaignConfigError, load_campaign
from bot.domain.unit_csv import read_rows
from bot.domain.unit_import import plan_import
from tests.support.cli import Cli
from tests.support.config import ROOT, SHIPPED_CAMPAIGN

UNITS_CSV = ROOT / "config" / "units" / "dong-thap-2025.csv"
SUCCESSIONS_CSV = ROOT / "config" / "units" / "dong-thap-2025-successions.csv"


def test_the_shipped_campaign_has_the_102_communes_and_wards() -> None:
    campaign = load_campaign(SHIPPED_CAMPAIGN)
    kinds = Counter(u.kind for u in campaign.units)
    assert kinds["commune"] == 82 and kinds["ward"] == 20
    local = [u for u in campaign.units if u.kind in {"commune", "ward"}]
    codes = [u.code for u in local]
    assert len(set(codes)) == 102
    # Official codes are five digits; the former Tiền Giang's start 28, the former Đồng Tháp's 29 or 30.
    assert all(len(c) == 5 and c.isdigit() and c[:2] in {"28", "29", "30"} for c in codes)
    by_code = {u.code: u.name for u in campaign.units}
    assert by_code["28504"] == "Xã Long Tiên"
    assert by_code["28261"] == "Phường Mỹ Tho"
    assert by_code["29869"] == "Phường Cao Lãnh"
    # No district-level locality is left among today's units.
    assert not [u.name for u in campaign.units if u.name.startswith(("Huyện", "Thành phố", "Thị xã"))]
    assert all(group.sample for group in campaign.groups)


def test_provincial_bodies_are_those_after_the_2025_mergers() -> None:
    names = {u.name for u in load_campaign(SHIPPED_CAMPAIGN).units if u.kind == "department"}
    assert {"Sở Nội vụ", "Sở Khoa học và Công nghệ", "Sở Nông nghiệp và Môi trường", "Sở Xây dựng"} <= names
    # Merged away in 2025: information and communications went into science and technology.
    assert "Sở Thông tin và Truyền thông" not in names
    assert not any(n.startswith("Sở Kế hoạch") or n.startswith("Sở Tài nguyên") for n in names)


def test_the_units_file_states_its_source_and_licence() -> None:
    notes = [line for line in UNITS_CSV.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    text = "\n".join(notes)
    assert "19/2025/QĐ-TTg" in text and "1663/NQ-UBTVQH15" in text and "Licence" in text


def test_every_code_of_the_succession_table_points_to_a_unit_that_exists() -> None:
    units = {u.code for u in load_campaign(SHIPPED_CAMPAIGN).units}
    rows = [row for _, row in read_rows(SUCCESSIONS_CSV.read_text(encoding="utf-8"))]
    assert {r["new_code"] for r in rows} == {c for c in units if len(c) == 5}
    assert all(r["share"] in {"whole", "part"} and r["effective"] == "2025-07-01" for r in rows)
    # xã Long Tiên = former xã Mỹ Long, Long Trung and Long Tiên (of the Cai Lậy district).
    into_long_tien = {r["old_name"] for r in rows if r["new_code"] == "28504"}
    assert into_long_tien == {"Xã Mỹ Long", "Xã Long Trung", "Xã Long Tiên"}
    # A former commune split between two new ones is listed once per successor, as a part.
    parts = Counter(r["old_code"] for r in rows if r["share"] == "part")
    assert parts and all(count == 2 for count in parts.values())


def test_the_app_starts_on_the_shipped_campaign(cli_shipped: Cli) -> None:
    code, out = cli_shipped("units", "list")
    assert code == 0
    assert "28504  Xã Long Tiên (CUM-XA-TG)" in out
    with sqlite3.connect(cli_shipped.db) as db:
        kinds = dict(db.execute("SELECT kind, count(*) FROM current_units GROUP BY kind").fetchall())
    assert kinds["commune"] == 82 and kinds["ward"] == 20


@pytest.fixture
def cli_shipped(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Cli:
    cli = Cli(monkeypatch, capsys, tmp_path)
    monkeypatch.setenv("CAMPAIGN_FILE", str(SHIPPED_CAMPAIGN))
    return cli


OFFICIAL = "Mã,Tên,Cấp,Mã TP,Tỉnh / Thành Phố\n28504,Xã Long Tiên,Xã,82,Tỉnh Đồng Tháp\n28261,Phường Mỹ Tho,Phường,82,Tỉnh Đồng Tháp\n"


def test_the_official_code_list_imports_with_its_own_columns() -> None:
    plan = plan_import(OFFICIAL, [], set())
    assert plan.errors == []
    assert [(f.code, f.name, f.kind) for f in plan.new] == [
        ("28504", "Xã Long Tiên", "commune"),
        ("28261", "Phường Mỹ Tho", "ward"),
    ]


def test_the_official_list_through_the_command_line(cli_shipped: Cli, tmp_path: Path) -> None:
    path = tmp_path / "danh-muc.csv"
    # As downloaded: a byte-order mark, the registry's headers, a new commune and a renamed one.
    path.write_text("\ufeff" + OFFICIAL.replace("Xã Long Tiên", "Xã Long Tiên mới"), encoding="utf-8")
    code, out = cli_shipped("units", "import", str(path))
    assert code == 0, out
    assert "~ 28504  name: Xã Long Tiên → Xã Long Tiên mới" in out
    assert "0 new, 1 changed, 1 unchanged" in out


def test_notes_before_the_header_are_skipped_and_rows_keep_their_numbers() -> None:
    text = "# source: somewhere\n# licence: public\ncode,name,kind\nA B,Xã A,commune\n"
    plan = plan_import(text, [], set())
    assert plan.errors == ["row 4: bad code 'A B' (letters, digits, - and _, at most 32)"]


def test_a_broken_units_file_is_named_with_its_row(tmp_path: Path) -> None:
    campaign = tmp_path / "campaign.yaml"
    campaign.write_text(SHIPPED_CAMPAIGN.read_text(encoding="utf-8").replace("units/dong-thap-2025.csv", "u.csv"))
    rows = list(csv.reader(UNITS_CSV.read_text(encoding="utf-8").splitlines()[-3:]))
    (tmp_path / "u.csv").write_text("# note\ncode,name,kind\n" + f"{rows[0][0]},{rows[0][1]},\n", encoding="utf-8")
    with pytest.raises(CampaignConfigError) as err:
        load_campaign(campaign)
    assert f"{tmp_path / 'u.csv'}:3: missing kind" in str(err.value)
