"""The campaign, clock and settings the suite runs with."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
# Most tests use the 2023 plan's districts (H-THAPMUOI, ...): the historical campaign file. The shipped
# campaign (the province since 2025, units from a CSV) has tests of its own.
CONFIG = ROOT / "config"
CAMPAIGN = CONFIG / "dong-thap-2023.yaml"
SHIPPED_CAMPAIGN = CONFIG / "dong-thap.yaml"
# 09:00 in Đồng Tháp on a Saturday in the year-end reporting period.
START = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": f"sqlite:///{tmp_path / 'thidua.db'}",
        "data_dir": tmp_path / "data",
        "campaign_file": CAMPAIGN,
    }
    values.update(overrides)
    return Settings.model_validate(values)
