"""Names searched by the folded keys stored with each row: units by name or code, duplicates of a nominee,
and the keys filled in for rows written before the keys existed."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest

from bot.app import App
from bot.domain.units import UnitFields, UnitStatus
from bot.storage import database
from bot.storage.database import Database
from bot.storage.units import UnitRepo

NOW = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)


async def search(app: App, query: str) -> list[str]:
    async with app.db.reading() as conn:
        return [u.code for u in await UnitRepo(conn).search(query)]


async def test_units_are_found_by_any_words_of_name_or_code_without_diacritics(app: App) -> None:
    assert await search(app, "thap muoi") == ["H-THAPMUOI"]
    assert await search(app, "THÁP   mười") == ["H-THAPMUOI"]
    assert await search(app, "h-thapmuoi") == ["H-THAPMUOI"]
    # Both Cao Lãnhs hold the words; the exact name is the one meant.
    assert await search(app, "cao lanh") == ["H-CAOLANH", "TP-CAOLANH"]
    assert await search(app, "thành phố cao lãnh") == ["TP-CAOLANH"]
    assert await search(app, "   ") == []
    assert await search(app, "không có đơn vị này") == []


async def test_a_renamed_unit_is_found_by_its_new_name_and_a_retired_one_not_at_all(app: App) -> None:
    async with app.db.transaction() as conn:
        units = UnitRepo(conn)
        await units.record(UnitFields(code="X-MOI", name="Xã Mỹ Long", kind="commune"), "import", NOW)
        await units.record(UnitFields(code="X-MOI", name="Xã Long Tiên", kind="commune"), "import", NOW)
        await units.record(
            UnitFields(
                code="X-CU", name="Xã Long Trung", kind="commune", status=UnitStatus.MERGED, merged_into="X-MOI"
            ),
            "import",
            NOW,
        )
    assert await search(app, "long tien") == ["X-MOI"]
    assert await search(app, "my long") == []
    assert await search(app, "long trung") == []
    assert await search(app, "xa long") == ["X-MOI"]
    assert await search(app, "xa") == ["X-MOI"]


async def test_rows_written_before_the_keys_existed_get_them_from_the_migration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    older = tmp_path / "migrations"
    older.mkdir()
    for path in database.MIGRATIONS_DIR.glob("*.sql"):
        if int(path.name[:4]) < 130:
            shutil.copy(path, older / path.name)
    db_path = tmp_path / "thidua.db"
    shipped = database.MIGRATIONS_DIR
    monkeypatch.setattr(database, "MIGRATIONS_DIR", older)
    db = await Database.open(db_path)
    await db.close()
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "INSERT INTO unit_versions (code, name, kind, status, source, recorded_at)"
            " VALUES ('H-LAPVO', 'Huyện Lấp Vò', 'district', 'active', 'campaign', '2025-01-01T00:00:00Z')"
        )
        conn.execute(
            "INSERT INTO users (id, channel, external_id, chat_id, lang, created_at)"
            " VALUES (1, 'console', '1', '1', 'vi', '2025-01-01T00:00:00Z')"
        )
        conn.execute(
            "INSERT INTO nominations (reference, campaign_code, submitted_by, channel, nominee_kind, nominee_name,"
            " unit_code, category_code, deed, anonymous, consent_at, created_at) VALUES ('DC-2025-000001', 'DT',"
            " 1, 'console', 'individual', 'Đỗ Thị  Hà', 'H-LAPVO', 'PT01', 'Việc tốt', 0, '2025-01-01T00:00:00Z',"
            " '2025-01-01T00:00:00Z')"
        )
    monkeypatch.setattr(database, "MIGRATIONS_DIR", shipped)
    db = await Database.open(db_path)
    async with db.reading() as conn:
        assert [u.code for u in await UnitRepo(conn).search("lap vo")] == ["H-LAPVO"]
    await db.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT nominee_key FROM nominations").fetchall() == [("dothiha",)]
        with pytest.raises(sqlite3.DatabaseError, match="immutable"):
            conn.execute("UPDATE unit_versions SET name = 'khác'")
