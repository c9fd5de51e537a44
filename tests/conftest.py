"""Shared fixtures: a real SQLite file in a temporary folder (or a fresh PostgreSQL database, in modules that
set BOTH_ENGINES = True), the shipped campaign, a fixed clock."""

from __future__ import annotations

import asyncio
import functools
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

import bot.app
from bot.app import App, build_app
from bot.campaign_loader import load_campaign
from bot.channels.registry import CHANNELS
from bot.clock import FixedClock
from bot.digests import chart
from bot.domain.campaign import Campaign
from bot.settings import Settings
from bot.storage.database import Database
from tests.support import config
from tests.support.bot_process import Fakes
from tests.support.charts import drawn_once
from tests.support.config import CONFIG, START, make_settings
from tests.support.engines import ENGINES, HOW_TO_RUN, fresh_postgres, postgres_collated_as
from tests.support.telegram_fake import TOKEN
from tests.support.telegram_http_fake import HttpTelegram
from tests.support.zalo_fake import FakeZalo


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture(scope="session", autouse=True)
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A database file with every migration applied, made once per run: each test's database starts as a
    copy of it rather than migrating anew (the migrations are still what made it), the `settings` fixture's
    and make_settings's alike."""
    path = tmp_path_factory.mktemp("template") / "thidua.db"

    async def migrate() -> None:
        await (await Database.open(path)).close()

    asyncio.run(migrate())
    config.MIGRATED.append(path)
    yield path
    config.MIGRATED.remove(path)


@pytest.fixture(scope="session", autouse=True)
def command_line_parsed_by_one_parser() -> Iterator[None]:
    """The command line's parser is built once per process, not by every command a test runs in-process:
    building it takes about 20 ms of processor time (argparse looks for its translations on disk for each
    of its strings), and parsing leaves it as it was."""
    import bot.cli  # here: the command line's modules are not every test's

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bot.cli, "build_parser", functools.cache(bot.cli.build_parser))
        yield


@pytest.fixture(scope="session", autouse=True)
def charts_drawn_once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The same chart is drawn once per run and copied after (tests/support/charts.py)."""
    base = tmp_path_factory.getbasetemp()
    # In the run's folder, above each xdist worker's own: the workers share what they drew.
    folder = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "charts"
    folder.mkdir(exist_ok=True)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chart, "render", drawn_once(chart.render, folder))
        yield


@pytest.fixture(scope="session", autouse=True)
def suite_campaigns_read_once() -> Iterator[None]:
    """The campaign files in config/ (which no test changes) are read and checked once per process, not by
    every app a test builds: the tests use a campaign, and the loader's own tests (and any test's campaign
    file of its own) still read theirs."""
    read: dict[tuple[Path, int], Campaign] = {}

    def load(path: Path) -> Campaign:
        where = Path(path).resolve()
        if where.parent != CONFIG:
            return load_campaign(path)
        key = (where, where.stat().st_mtime_ns)
        if key not in read:
            read[key] = load_campaign(path)
        return read[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bot.app, "load_campaign", load)
        yield


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Modules with BOTH_ENGINES = True run each database test on SQLite and on PostgreSQL."""
    chosen = any("db_engine" in str(m.args[0]) for m in metafunc.definition.iter_markers("parametrize"))
    if getattr(metafunc.module, "BOTH_ENGINES", False) and "db_engine" in metafunc.fixturenames and not chosen:
        metafunc.parametrize("db_engine", ENGINES)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `long` start first. xdist hands the first tests out in turn, so the long ones run side
    by side at the start rather than one of them alone at the end while the other workers wait."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if any(HOW_TO_RUN in str(getattr(report, "longrepr", "")) for report in skipped):
        terminalreporter.write_line(HOW_TO_RUN)


@pytest.fixture
def db_engine() -> str:
    return "sqlite"


@pytest.fixture
async def database_url(db_engine: str, tmp_path: Path, migrated_database: Path) -> AsyncIterator[str]:
    if db_engine == "sqlite":
        # A copy of the database migrated once per run (PostgreSQL's tests copy a migrated template too).
        shutil.copyfile(migrated_database, tmp_path / "thidua.db")
        yield f"sqlite:///{tmp_path / 'thidua.db'}"
        return
    async with fresh_postgres() as url:
        yield url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url=database_url)


@pytest.fixture
async def app(settings: Settings, clock: FixedClock) -> AsyncIterator[App]:
    application = await build_app(settings, clock, CHANNELS)
    try:
        yield application
    finally:
        await application.close()


@pytest.fixture
async def app_sorting_by_language(tmp_path: Path, clock: FixedClock) -> AsyncIterator[App]:
    """The bot on a PostgreSQL database whose text sorts by ICU's English rules, as a host whose default locale
    is en_US.UTF-8 would create it, rather than by bytes."""
    async with postgres_collated_as("en-US") as url:
        application = await build_app(make_settings(tmp_path, database_url=url), clock, CHANNELS)
        try:
            yield application
        finally:
            await application.close()


@pytest.fixture
def tg_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, telegram_bot_token=TOKEN)


@pytest.fixture
async def fakes() -> AsyncIterator[Fakes]:
    telegram, zalo = HttpTelegram(), FakeZalo()
    await telegram.start()
    await zalo.start()
    try:
        yield Fakes(telegram, zalo)
    finally:
        await telegram.stop()
        await zalo.stop()


@pytest.fixture
async def fake_zalo() -> AsyncIterator[FakeZalo]:
    """The fake Zalo Bot API on loopback."""
    server = FakeZalo()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
