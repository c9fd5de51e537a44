"""The workbook's cells take their short cuts only where the answer is the same: text that needs no cleaning
is left as it is, and a stored time becomes the campaign's local time however the zone's offset moves."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

import tests.support.hypothesis_profiles  # noqa: F401  (the suite's settings)
from bot.conversation.text import clean_text
from bot.exports.xlsx import TEXT_MAX, _clean, _LocalTimes
from bot.storage.timefmt import to_db

# Vietnamese letters and their decomposed forms, the characters XML cannot hold, line breaks, and the rest.
_TEXT = st.text(
    st.one_of(
        st.sampled_from("aăâeêoôơuưyđ ÁÀẢÃẠếệữ\u0301\u0300\u0323\r\n\t\x00\x1f\x7f\x85\u202e\u2066\ufffe\uffff\ufdd0"),
        st.characters(),
    ),
    max_size=40,
)


@given(_TEXT)
def test_a_cell_holds_what_the_cleaning_makes_of_the_text(text: str) -> None:
    assert _clean(text) == clean_text(text)[:TEXT_MAX]


def test_a_cell_holds_at_most_what_a_cell_can() -> None:
    assert _clean("ắ" * (TEXT_MAX + 5)) == "ắ" * TEXT_MAX


# A zone whose offset moves twice a year, and one that moved by half an hour and back within its history.
_ZONES = ["Asia/Ho_Chi_Minh", "Europe/Paris", "America/St_Johns", "Australia/Lord_Howe"]
_MOMENTS = st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2040, 1, 1), timezones=st.just(dt.UTC))


@given(st.sampled_from(_ZONES), st.lists(_MOMENTS, min_size=1, max_size=20))
def test_a_stored_time_is_the_campaigns_local_time(zone: str, moments: list[dt.datetime]) -> None:
    tz = ZoneInfo(zone)
    local = _LocalTimes(tz)
    for moment in moments:
        # Twice each: the second answer comes from the hour's kept offset.
        for _ in range(2):
            assert local(to_db(moment)) == moment.astimezone(tz).replace(tzinfo=None)


def test_times_around_a_change_of_offset() -> None:
    tz = ZoneInfo("Europe/Paris")
    local = _LocalTimes(tz)
    change = dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC)  # 02:00 in Paris becomes 03:00
    for minutes in range(-90, 91, 15):
        moment = change + dt.timedelta(minutes=minutes, microseconds=7)
        assert local(to_db(moment)) == moment.astimezone(tz).replace(tzinfo=None)
    # A time stored with an explicit offset rather than the Z this code writes.
    assert local("2026-03-29T00:30:00+00:00") == dt.datetime(2026, 3, 29, 1, 30)
