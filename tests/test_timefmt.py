"""Stored times are written by hand instead of by strftime: the text must be the same, byte for byte, for any
time in any zone (rows written before and after sort and compare as one)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tests.support.hypothesis_profiles  # noqa: F401  (the suite's settings)
from bot.storage.timefmt import from_db, to_db


def _as_strftime_wrote(value: dt.datetime) -> str:
    """How a time was written before."""
    if value.tzinfo is None:
        raise ValueError("naive datetimes are not stored")
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_OFFSETS = st.timedeltas(min_value=-dt.timedelta(hours=23, minutes=59), max_value=dt.timedelta(hours=23, minutes=59))
_FIXED = st.one_of(st.just(dt.UTC), st.builds(dt.timezone, _OFFSETS))
_ZONES = st.one_of(
    _FIXED,
    st.sampled_from([ZoneInfo(name) for name in ("Asia/Ho_Chi_Minh", "Europe/Paris", "America/St_Johns")]),
)


def _written(write: object, value: dt.datetime) -> str | type[BaseException]:
    try:
        return write(value)  # type: ignore[operator, no-any-return]
    except (ValueError, OverflowError) as exc:
        return type(exc)


@given(st.datetimes(timezones=_ZONES))
def test_a_time_is_written_as_strftime_wrote_it(value: dt.datetime) -> None:
    assert _written(to_db, value) == _written(_as_strftime_wrote, value)


# Fixed offsets: a zone's local time that a clock change skipped is no moment to compare with.
@given(st.datetimes(min_value=dt.datetime(1900, 1, 1), timezones=_FIXED))
def test_a_time_written_reads_back_as_the_same_moment(value: dt.datetime) -> None:
    assert from_db(to_db(value)) == value


def test_the_same_moment_in_another_zone_is_written_the_same_and_the_next_one_anew() -> None:
    now = dt.datetime(2026, 3, 1, 23, 30, 0, 5, tzinfo=dt.UTC)
    assert to_db(now) == to_db(now) == "2026-03-01T23:30:00.000005Z"
    assert to_db(now.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))) == "2026-03-01T23:30:00.000005Z"
    assert to_db(now + dt.timedelta(microseconds=1)) == "2026-03-01T23:30:00.000006Z"
    assert to_db(now) == "2026-03-01T23:30:00.000005Z"


def test_a_time_without_a_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        to_db(dt.datetime(2026, 3, 1))
