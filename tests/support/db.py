"""Rows read back from the database a test runs on, as an operator would read them."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from bot.app import App
from bot.settings import Settings
from tests.support.engines import select


def rows(app: App, sql: str, params: tuple[object, ...] = ()) -> list[tuple[Any, ...]]:
    """From the app's database, on either engine."""
    return select(app.db, sql, params)


def file_rows(path: Path | str, sql: str) -> list[tuple[Any, ...]]:
    """From a SQLite file no app has open (a process's, or one a test closed)."""
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def db_rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    return file_rows(settings.database_url.removeprefix("sqlite:///"), sql)
