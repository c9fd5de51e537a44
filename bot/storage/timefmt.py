"""Times are stored as UTC ISO 8601 text with a trailing Z, which sorts correctly as text."""

from __future__ import annotations

import datetime as dt


def to_db(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def from_db(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
