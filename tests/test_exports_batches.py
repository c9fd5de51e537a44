"""The workbook's rows are worked out a column of a batch at a time: the short cuts give what the cell-by-cell
way gives, and the workbook is the same however the rows are cut into batches (an area's figures may come
in the batch after its first line)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bot.storage.exports
import tests.support.hypothesis_profiles  # noqa: F401  (the suite's settings)
from bot.app import App
from bot.domain.export_rows import ExportKind
from bot.exports.xlsx import TEXT_MAX, _clean, _LocalTimes, _optional_texts, _texts
from bot.storage.timefmt import to_db
from tests.support.exports import export, seed
from tests.test_exports import cells

_TEXT = st.text(
    st.one_of(
        st.sampled_from("aăâeêoôơuưyđ ÁÀẢÃẠếệữ\u0301\u0300\u0323\u0345\u05b0\r\n\t\x00\x7f\x85\u202e\ufffe\ufdd0"),
        st.characters(),
    ),
    max_size=12,
)


@given(st.lists(_TEXT, max_size=8))
def test_a_column_of_texts_is_what_each_cell_cleaned_makes(column: list[str]) -> None:
    assert list(_texts(column)) == [_clean(text) for text in column]


@given(st.lists(st.one_of(st.none(), _TEXT), max_size=8))
def test_an_optional_column_keeps_its_empty_cells_empty(column: list[str | None]) -> None:
    assert list(_optional_texts(column)) == [_clean(text) if text else None for text in column]


def test_a_column_with_a_text_too_long_for_a_cell_is_cut() -> None:
    column = ["ắ" * (TEXT_MAX + 1), "a"]
    assert list(_texts(column)) == ["ắ" * TEXT_MAX, "a"]


_ZONES = ["Asia/Ho_Chi_Minh", "Europe/Paris", "America/St_Johns", "Australia/Lord_Howe"]
_MOMENTS = st.datetimes(min_value=dt.datetime(1970, 1, 1), max_value=dt.datetime(2040, 1, 1), timezones=st.just(dt.UTC))


@given(st.sampled_from(_ZONES), st.lists(_MOMENTS, max_size=20), st.booleans())
def test_a_column_of_times_is_each_time_in_local_time(zone: str, moments: list[dt.datetime], offset: bool) -> None:
    tz = ZoneInfo(zone)
    local = _LocalTimes(tz)
    stored = [to_db(moment) for moment in moments]
    if offset and stored:
        stored[0] = moments[0].isoformat()  # "+00:00" rather than the Z this code writes
    for _ in range(2):  # the second time from the hours' kept offsets
        assert list(local.column(stored)) == [moment.astimezone(tz).replace(tzinfo=None) for moment in moments]


def test_a_column_of_times_across_a_change_of_offset() -> None:
    tz = ZoneInfo("Europe/Paris")
    change = dt.datetime(2026, 3, 29, 1, 0, tzinfo=dt.UTC)
    moments = [change + dt.timedelta(minutes=minutes) for minutes in range(-90, 91, 15)]
    assert list(_LocalTimes(tz).column([to_db(m) for m in moments])) == [
        m.astimezone(tz).replace(tzinfo=None) for m in moments
    ]


@pytest.mark.parametrize("size", [1, 2, 3])
async def test_the_workbook_is_the_same_whatever_the_batches(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    await seed(app)
    whole = cells((await export(app, tmp_path / "whole", ExportKind.XLSX)).path)
    monkeypatch.setattr(bot.storage.exports, "BATCH", size)
    assert cells((await export(app, tmp_path / "cut", ExportKind.XLSX)).path) == whole
