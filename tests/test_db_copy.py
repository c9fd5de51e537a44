"""`db copy`: a province's SQLite database moved to PostgreSQL, checked, and never into a database in use."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.cli import main
from bot.clock import FixedClock
from tests.support.chat import Person
from tests.support.config import make_settings
from tests.support.conversations import answer_up_to_summary
from tests.support.engines import fresh_postgres, select

pytestmark = pytest.mark.parametrize("db_engine", ["sqlite"])


async def test_a_province_moves_to_postgresql_checked_and_goes_on_there(
    app: App, tmp_path: Path, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    person = Person(app)
    await answer_up_to_summary(person)
    await person.tap("Gửi")
    source = f"sqlite:///{app.db.path}"
    nominations = select(app.db, "SELECT id, reference, nominee_name, deed, anonymous FROM nominations ORDER BY id")
    assert len(nominations) == 1

    async with fresh_postgres() as target:
        assert await main_async(["db", "copy", "--from", source, "--to", target]) == 0
        out = capsys.readouterr().out
        assert "nominations" in out and "DIFFERS" not in out and "every table checked" in out

        moved = await build_app(make_settings(tmp_path, database_url=target), clock)
        try:
            assert select(moved.db, "SELECT id, reference, nominee_name, deed, anonymous FROM nominations") == [
                tuple(r) for r in nominations
            ]
            units = select(app.db, "SELECT COUNT(*) FROM unit_versions")[0][0]
            assert select(moved.db, "SELECT COUNT(*) FROM unit_versions")[0][0] == units  # nothing seeded twice
            # The next nomination there gets the next id and the next reference, as it would have here.
            again = Person(moved, user_id="99")
            await answer_up_to_summary(again)
            await again.tap("Gửi")
            rows = select(moved.db, "SELECT id, reference FROM nominations ORDER BY id")
            assert [r[0] for r in rows] == [nominations[0][0], nominations[0][0] + 1]
            assert rows[1][1] != rows[0][1]
        finally:
            await moved.close()

        # A second copy into the same (now non-empty) database is refused, and nothing is written.
        assert await main_async(["db", "copy", "--from", source, "--to", target]) == 1
        err = capsys.readouterr().err
        assert "nothing copied" in err and "not empty" in err


async def main_async(argv: list[str]) -> int:
    """The command line as a person runs it, in a thread (it runs its own event loop)."""
    import asyncio

    return await asyncio.to_thread(main, argv)
