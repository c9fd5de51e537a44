"""The campaign, clock and settings the suite runs with."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from bot.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
# Most tests use the 2023 plan's districts (H-THAPMUOI, ...): the historical campaign file. The shipped
# campaign (the province since 2025, units from a CSV) has tests of its own.
CONFIG = ROOT / "config"
CAMPAIGN = CONFIG / "dong-thap-2023.yaml"
SHIPPED_CAMPAIGN = CONFIG / "dong-thap.yaml"
# 09:00 in Đồng Tháp on a Saturday in the year-end reporting period.
START = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


# A database file with every migration applied, made once per test process (tests/conftest.py puts it here).
MIGRATED: list[Path] = []


class GivenSettings(Settings):
    """The bot's settings made of what a test gives and the defaults only: neither the environment nor a .env
    file in the working folder can change what a test runs with. Reading both cost about 5 ms for each
    settings object (one for most tests): pydantic-settings walks every field for every source, and 6 ms a
    settings object became 1 ms."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    database = tmp_path / "thidua.db"
    if "database_url" not in overrides and MIGRATED and not database.exists():
        # As the `settings` fixture's database: a copy of one migrated once, not a migration run per test (the
        # migrations are still what made it); a file the test put there first is left alone.
        shutil.copyfile(MIGRATED[0], database)
    values: dict[str, object] = {
        "database_url": f"sqlite:///{database}",
        "data_dir": tmp_path / "data",
        "campaign_file": CAMPAIGN,
    }
    values.update(overrides)
    return GivenSettings.model_validate(values)
