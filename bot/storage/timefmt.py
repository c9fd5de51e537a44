"""Times are stored as UTC ISO 8601 text with a trailing Z, which sorts correctly as text."""

from __future__ import annotations

import datetime as dt

# What strftime("%Y-%m-%dT%H:%M:%S.%fZ") writes, formatted without it: strftime goes through the C library
# (several times the cost), and an update writes its time into several rows. The year is not padded, as the C
# library's %Y does not pad it here.
_FORMAT = "%d-%02d-%02dT%02d:%02d:%02d.%06dZ"
# The last time written and its text: the rows of one transaction are stamped with the same `now`.
_last: tuple[object, str] = (object(), "")


def to_db(value: dt.datetime) -> str:
    global _last
    last = _last
    if value is last[0]:
        return last[1]
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    utc = value if value.tzinfo is dt.UTC else value.astimezone(dt.UTC)
    text = _FORMAT % (utc.year, utc.month, utc.day, utc.hour, utc.minute, utc.second, utc.microsecond)
    _last = (value, text)
    return text


def from_db(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
