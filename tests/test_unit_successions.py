"""Merged and split units: a succession table imported like units, a merged unit's reports and
representatives under its successor in /tinhtrang, the digest and the export while each record keeps where
it was filed, a split waiting for the secretariat, and an old commune name finding the new commune."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import openpyxl
import pytest

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from bot.domain.successions import final_successors, fold_reported, plan_successions
from bot.storage.reports import ReportRepo
from bot.storage.successions import SuccessionRepo
from bot.successions.setup import SuccessionsFileError, import_successions
from tests.support.chat import Person
from tests.support.cli import Cli
from tests.support.config import SHIPPED_CAMPAIGN, make_settings
from tests.support.conversations import report_poverty
from tests.support.roles import registered, representative

HEADER = "old_code,old_name,old_district,new_code,share,effective,legal_basis\n"
# Illustrative rows over the 2023 districts of the historical campaign (the tests' units), not law.
THAPMUOI_INTO_CAOLANH = HEADER + "H-THAPMUOI,Huyện Tháp Mười,,H-CAOLANH,whole,2025-07-01,Nghị quyết thử\n"
LAPVO_SPLIT = HEADER + (
    "H-LAPVO,Huyện Lấp Vò,,H-LAIVUNG,part,2025-07-01,Nghị quyết thử\n"
    "H-LAPVO,Huyện Lấp Vò,,H-CHAUTHANH,part,2025-07-01,Nghị quyết thử\n"
)
KNOWN = {"H-CAOLANH", "H-LAIVUNG", "H-CHAUTHANH"}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (HEADER + "A,Xã A,,H-NOWHERE,whole,2025-07-01,NQ\n", "row 2: new_code H-NOWHERE is not a known unit"),
        (HEADER + "A,Xã A,,H-CAOLANH,most,2025-07-01,NQ\n", "row 2: share must be whole or part, not 'most'"),
        (HEADER + "A,Xã A,,H-CAOLANH,whole,1/7/2025,NQ\n", "row 2: effective must be a date YYYY-MM-DD"),
        (HEADER + "A,Xã A,,H-CAOLANH,whole,2025-07-01,\n", "row 2: legal_basis is empty"),
        (HEADER + "A B,Xã A,,H-CAOLANH,whole,2025-07-01,NQ\n", "row 2: bad old_code 'A B'"),
        (
            HEADER + "A,Xã A,,H-CAOLANH,whole,2025-07-01,NQ\nA,Xã A,,H-CAOLANH,whole,2025-07-01,NQ\n",
            "row 3: A → H-CAOLANH is already on row 2",
        ),
        (
            HEADER + "A,Xã A,,H-CAOLANH,whole,2025-07-01,NQ\nA,Xã A,,H-LAIVUNG,part,2025-07-01,NQ\n",
            "A: a unit that went whole into one successor cannot have other successors",
        ),
        ("# notes only\n" + HEADER, "no rows in the file"),
    ],
)
def test_a_bad_table_names_the_row(text: str, error: str) -> None:
    plan = plan_successions(text, KNOWN)
    assert any(error in e for e in plan.errors), plan.errors


def test_chains_of_mergers_end_at_the_unit_holding_them_now() -> None:
    assert final_successors({"A": "B", "B": "C", "X": "Y"}) == {"A": "C", "B": "C", "X": "Y"}
    # A loop is a data error: it stops where it closes rather than running forever.
    assert set(final_successors({"A": "B", "B": "A"})) == {"A", "B"}
    # On time if either the merged unit or its successor reported on time.
    assert fold_reported({"CN": {"A": True, "C": False}}, {"A": "C"}) == {"CN": {"C": False}}


def section(text: str, title: str) -> str:
    """The lines of one period in a status or digest text, up to the next blank line."""
    return text.split(title, 1)[1].split("\n\n", 1)[0]


async def merge(app: App, text: str) -> tuple[list[str], list[object]]:
    now = app.services.clock.now()
    async with app.db.transaction() as conn:
        _, merged, pending = await import_successions(conn, text, "csv:test.csv", "test.csv", now, now.date())
    return merged, list(pending)


async def test_a_merged_units_report_follows_its_successor_everywhere(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(rep)
    await rep.tap("Gửi")
    assert "BC-2026-CN-H-THAPMUOI-v1" in rep.text
    merged, pending = await merge(app, THAPMUOI_INTO_CAOLANH)
    assert merged == ["H-THAPMUOI"] and pending == []

    desk = await registered(app, "30", Grant(role=Role.SECRETARIAT))
    await desk.say("/tinhtrang")
    # 17 units now, and the year-end report of Tháp Mười counts for Cao Lãnh.
    year_end = section(desk.text, "Báo cáo tổng kết năm 2026")
    assert "Đã gửi 1/17 đơn vị" in year_end
    assert "Huyện Cao Lãnh" not in year_end and "Huyện Tháp Mười" not in year_end

    # The representative now also speaks for the successor, and sees the report there.
    await rep.say("/tinhtrang")
    assert "🏢 Huyện Cao Lãnh" in rep.text and "(BC-2026-CN-H-THAPMUOI-v1)" in rep.text

    await desk.say("/tonghop")
    assert "Báo cáo tổng kết năm 2026" in desk.text
    assert "Huyện Cao Lãnh" not in section(desk.text, "Báo cáo tổng kết năm 2026")

    replies = await desk.say("/xuat CN xlsx")
    [sent] = [r for r in replies if r.file is not None]
    assert sent.file is not None
    book = openpyxl.load_workbook(sent.file.path, read_only=True)
    cells = [str(v) for s in book.worksheets for row in s.iter_rows(values_only=True) for v in row if v]
    assert "Huyện Cao Lãnh ← Huyện Tháp Mười" in cells
    unreported = book.worksheets[-1]
    assert "Huyện Cao Lãnh" not in [v for row in unreported.iter_rows(values_only=True) for v in row]

    # The record keeps what was filed under which unit and when.
    async with app.db.reading() as conn:
        report = await ReportRepo(conn).by_reference("BC-2026-CN-H-THAPMUOI-v1")
    assert report is not None and report.unit_code == "H-THAPMUOI" and report.unit_name == "Huyện Tháp Mười"


async def test_a_split_waits_for_the_secretariat_then_follows_the_choice(app: App) -> None:
    merged, pending = await merge(app, LAPVO_SPLIT)
    assert merged == [] and len(pending) == 1
    async with app.db.transaction() as conn:
        repo = SuccessionRepo(conn)
        await repo.assign("H-LAPVO", "H-CHAUTHANH", None, app.services.clock.now())
        merged_codes, still = await repo.apply(dt.date(2026, 11, 28), app.services.clock.now(), "split")
    assert merged_codes == ["H-LAPVO"] and still == []
    with sqlite3.connect(app.db.path) as db:
        row = db.execute("SELECT status, merged_into FROM current_units WHERE code = 'H-LAPVO'").fetchone()
    assert row == ("merged", "H-CHAUTHANH")


async def test_importing_the_table_twice_changes_nothing(app: App) -> None:
    await merge(app, THAPMUOI_INTO_CAOLANH)
    merged, _ = await merge(app, THAPMUOI_INTO_CAOLANH)
    assert merged == []
    with sqlite3.connect(app.db.path) as db:
        assert db.execute("SELECT count(*) FROM unit_successions").fetchone() == (1,)


async def test_a_wrong_table_is_refused_whole(app: App) -> None:
    with pytest.raises(SuccessionsFileError) as err:
        await merge(app, HEADER + "A,Xã A,,H-NOWHERE,whole,2025-07-01,NQ\n")
    assert "test.csv: row 2: new_code H-NOWHERE is not a known unit" in str(err.value)


@pytest.fixture
async def today_app(tmp_path: Path, clock: FixedClock) -> AsyncIterator[App]:
    application = await build_app(make_settings(tmp_path, campaign_file=SHIPPED_CAMPAIGN), clock)
    try:
        yield application
    finally:
        await application.close()


async def test_an_old_commune_name_finds_the_new_commune_and_says_so(today_app: App) -> None:
    person = Person(today_app, "501")
    await person.say("/decu")
    await person.tap("Cá nhân")
    await person.say("Nguyễn Văn An")
    await person.say("xã Mỹ Long, Cai Lậy")
    assert "«Xã Mỹ Long, Huyện Cai Lậy» nay thuộc Xã Long Tiên" in person.text
    assert "Nghị quyết 1663/NQ-UBTVQH15" in person.text and "01/07/2025" in person.text
    # One successor: picked, and the flow goes on to the category.
    assert "Bước 4/" in person.text


async def test_an_old_name_shared_by_two_communes_offers_both_successors(today_app: App) -> None:
    person = Person(today_app, "502")
    await person.say("/decu")
    await person.tap("Cá nhân")
    await person.say("Nguyễn Văn An")
    await person.say("xã Mỹ Long")
    # Two former communes were called Mỹ Long: Cai Lậy's went to Long Tiên, Cao Lãnh's to Mỹ Hiệp.
    assert "nay thuộc Xã Long Tiên" in person.text and "nay thuộc Xã Mỹ Hiệp" in person.text
    assert set(person.buttons) >= {"Xã Long Tiên", "Xã Mỹ Hiệp"}
    await person.tap("Xã Long Tiên")
    assert "Bước 4/" in person.text


def test_the_command_line_imports_lists_and_assigns(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    cli = Cli(monkeypatch, capsys, tmp_path)
    table = tmp_path / "successions.csv"
    table.write_text("# source: a test\n" + LAPVO_SPLIT, encoding="utf-8")
    code, out = cli("units", "successions", "import", str(table))
    assert code == 0, out
    assert "2 new row(s); 0 unit(s) now merged" in out
    assert "split, waiting for a decision: H-LAPVO Huyện Lấp Vò → H-CHAUTHANH / H-LAIVUNG" in out
    code, out = cli("units", "successions", "list", "H-LAPVO")
    assert "H-LAPVO Huyện Lấp Vò → H-LAIVUNG [part] from 2025-07-01, Nghị quyết thử" in out
    code, out = cli("units", "split", "H-LAPVO", "--to", "H-TANHONG")
    assert code == 1 and "successors are H-CHAUTHANH, H-LAIVUNG, not H-TANHONG" in out
    code, out = cli("units", "split", "H-LAPVO", "--to", "H-LAIVUNG")
    assert code == 0 and "H-LAPVO: open items go to H-LAIVUNG; merged: H-LAPVO" in out
    code, out = cli("units", "list", "--all")
    assert "H-LAPVO  Huyện Lấp Vò (CUM1) [merged → H-LAIVUNG]" in out


async def test_the_secretariat_is_asked_where_a_split_units_items_go_and_answers_in_chat(app: App) -> None:
    desk = await registered(app, "30", Grant(role=Role.SECRETARIAT))
    now = app.services.clock.now()
    async with app.db.transaction() as conn:
        await import_successions(conn, LAPVO_SPLIT, "csv:t.csv", "t.csv", now, now.date(), app.services)
        await import_successions(conn, LAPVO_SPLIT, "csv:t.csv", "t.csv", now, now.date(), app.services)
    with sqlite3.connect(app.db.path) as db:
        asked = db.execute("SELECT payload FROM outbox WHERE kind = 'split'").fetchall()
    # Asked once, however often the table is read.
    assert len(asked) == 1 and "Huyện Lấp Vò đã được chia cho" in asked[0][0]

    citizen = Person(app, "99")
    await citizen.say("/tachdonvi")
    assert "Chỉ Thường trực Hội đồng" in citizen.text

    await desk.say("/tachdonvi")
    assert "Huyện Lấp Vò đã được chia cho: Huyện Châu Thành, Huyện Lai Vung" in desk.text
    assert set(desk.buttons) == {"Huyện Châu Thành", "Huyện Lai Vung"}
    await desk.tap("Huyện Châu Thành")
    assert "việc đang mở của Huyện Lấp Vò chuyển về Huyện Châu Thành" in desk.text
    with sqlite3.connect(app.db.path) as db:
        row = db.execute("SELECT status, merged_into FROM current_units WHERE code = 'H-LAPVO'").fetchone()
        decided = db.execute("SELECT actor_user_id FROM audit_log WHERE action = 'units.split_assigned'").fetchone()
    assert row == ("merged", "H-CHAUTHANH") and decided is not None and decided[0] is not None
    await desk.say("/tachdonvi")
    assert "Không có đơn vị nào bị chia tách đang chờ quyết định." in desk.text
