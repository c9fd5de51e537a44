"""Shared fixtures: a real SQLite file in a temporary folder, the shipped campaign, a fixed clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.settings import Settings
from bot.storage.database import Database

ROOT = Path(__file__).resolve().parent.parent
# Most tests use the 2023 plan's districts (H-THAPMUOI, ...): the historical campaign file. The shipped
# campaign (the province since 2025, units from a CSV) has tests of its own.
CAMPAIGN = ROOT / "config" / "dong-thap-2023.yaml"
SHIPPED_CAMPAIGN = ROOT / "config" / "dong-thap.yaml"
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


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with every migration applied, made once per run: each test's database starts as a
    copy of it rather than migrating anew (the migrations are still what made it)."""
    path = tmp_path_factory.mktemp("template") / "thidua.db"

    async def migrate() -> None:
        await (await Database.open(path)).close()

    asyncio.run(migrate())
    return path


@pytest.fixture
def settings(tmp_path: Path, migrated_database: Path) -> Settings:
    shutil.copyfile(migrated_database, tmp_path / "thidua.db")
    return make_settings(tmp_path)


@pytest.fixture
async def app(settings: Settings, clock: FixedClock) -> AsyncIterator[App]:
    application = await build_app(settings, clock)
    try:
        yield application
    finally:
        await application.close()
