"""The campaign file is validated at start-up; a broken one names file, line and field."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.campaign_loader import CampaignConfigError, load_campaign
from tests.support.config import CAMPAIGN, ROOT


def test_the_shipped_campaign_is_valid() -> None:
    campaign = load_campaign(CAMPAIGN)
    assert len(campaign.content_areas) == 19
    names = {u.name for u in campaign.units}
    for locality in (
        "Thành phố Cao Lãnh",
        "Thành phố Sa Đéc",
        "Thành phố Hồng Ngự",
        "Huyện Tân Hồng",
        "Huyện Hồng Ngự",
        "Huyện Tam Nông",
        "Huyện Thanh Bình",
        "Huyện Tháp Mười",
        "Huyện Cao Lãnh",
        "Huyện Lấp Vò",
        "Huyện Lai Vung",
        "Huyện Châu Thành",
    ):
        assert locality in names
    assert all(group.sample for group in campaign.groups)
    assert campaign.campaign.timezone == "Asia/Ho_Chi_Minh"


def broken(tmp_path: Path, old: str, new: str) -> Path:
    text = CAMPAIGN.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "campaign.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_a_wrong_value_names_file_line_and_field(tmp_path: Path) -> None:
    path = broken(tmp_path, "timezone: Asia/Ho_Chi_Minh", "timezone: Asia/Atlantis")
    with pytest.raises(CampaignConfigError) as err:
        load_campaign(path)
    message = str(err.value)
    assert f"{path}:{line_of(path, 'Asia/Atlantis')}:" in message
    assert "campaign.timezone" in message and "Asia/Atlantis" in message


def test_a_unit_in_an_unknown_group_is_refused(tmp_path: Path) -> None:
    path = broken(tmp_path, "kind: district, group: CUM2}", "kind: district, group: CUM9}")
    with pytest.raises(CampaignConfigError) as err:
        load_campaign(path)
    assert "CUM9" in str(err.value) and str(path) in str(err.value)


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    path = broken(tmp_path, "  code: DT-2026\n", "")
    with pytest.raises(CampaignConfigError) as err:
        load_campaign(path)
    assert "campaign.code" in str(err.value) and "Field required" in str(err.value)


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "campaign.yaml"
    path.write_text("campaign:\n  code: [unclosed\n  year: 2026\n", encoding="utf-8")
    with pytest.raises(CampaignConfigError) as err:
        load_campaign(path)
    assert f"{path}:" in str(err.value) and "not valid YAML" in str(err.value)


def test_start_up_stops_with_the_message(tmp_path: Path) -> None:
    path = broken(tmp_path, "year: 2026", "year: twenty")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        cwd=ROOT,
        env={"CAMPAIGN_FILE": str(path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}", "PATH": ""},
        input="",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert f"{path}:{line_of(path, 'year: twenty')}: field campaign.year" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "db.sqlite").exists()
