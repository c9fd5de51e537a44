"""Rows read back from the database a test runs on, whichever engine it is."""

from __future__ import annotations

import sqlite3
from typing import Any

from bot.app import App
from bot.settings import Settings
from tests.support.engines import select


def rows(app: App, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    return select(app.db, sql, params)


def db_rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(settings.database_url.removeprefix("sqlite:///")) as conn:
        return conn.execute(sql).fetchall()
