"""What following mergers costs /tinhtrang: the secretariat's view over 5,000 units of which 1,000 were
merged into others, 20,000 reports (a fifth filed under units merged since), against the bare SQL counting
the same rows, and the lookup of the successors alone. Rounds alternate; medians are compared."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.bench_status import BARE_SQL, NOW, PERIODS, REPORTS, ROUNDS, UNITS, campaign_file, fill  # noqa: E402
from bench.common import Stopwatch, bench_app, record, report, scratch_dir  # noqa: E402
from bot.conversation.messages import Incoming, Kind  # noqa: E402
from bot.domain.policy import Grant, Role  # noqa: E402
from bot.storage.roles import RoleRepo  # noqa: E402
from bot.storage.timefmt import to_db  # noqa: E402
from bot.storage.unit_successors import successor_map  # noqa: E402
from bot.storage.users import UserRepo  # noqa: E402

MERGED = 1_000


def merge(db: Path) -> None:
    """Every fifth unit merged into the unit after it (a new version of it, as an import records)."""
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO unit_versions (code, name, kind, parent_code, group_code, status, merged_into, source,"
            " recorded_at) SELECT code, name, kind, parent_code, group_code, 'merged', ?, 'bench', ? FROM"
            " unit_versions WHERE code = ?",
            [(f"X-{i + 1:05d}", to_db(NOW + dt.timedelta(minutes=1)), f"X-{i:05d}") for i in range(0, UNITS, 5)],
        )


async def measure() -> dict[str, float]:
    with scratch_dir("bench-successions-") as folder:
        app = await bench_app(folder, campaign_file(folder), NOW)
        fill(app.db.path)
        merge(app.db.path)
        async with app.db.transaction() as conn:
            user = await UserRepo(conn).get_or_create("console", "900", "900", None, "vi", NOW)
            await RoleRepo(conn).grant(user.id, Grant(role=Role.SECRETARIAT), NOW, channel="cli")
        ask = Incoming(channel="console", user_id="900", chat_id="900", kind=Kind.COMMAND, command="tinhtrang")
        replies = await app.engine.handle(ask)
        assert "Đã gửi" in replies[0].text, replies[0].text
        async with app.db.reading() as conn:
            assert len(await successor_map(conn)) == MERGED
        bot_times, bare_times, lookup_times = [], [], []
        for _ in range(ROUNDS):
            watch = Stopwatch()
            await app.engine.handle(ask)
            bot_times.append(watch.seconds)
            watch = Stopwatch()
            async with app.db.reading() as conn:
                list(await conn.execute_fetchall(BARE_SQL))
            bare_times.append(watch.seconds)
            watch = Stopwatch()
            async with app.db.reading() as conn:
                await successor_map(conn)
            lookup_times.append(watch.seconds)
        await app.close()
    return {
        "bot": statistics.median(bot_times),
        "bare": statistics.median(bare_times),
        "lookup": statistics.median(lookup_times),
    }


def main() -> None:
    figures = asyncio.run(measure())
    report(
        f"/tinhtrang with mergers: {UNITS} units ({MERGED} merged) x {len(PERIODS)} periods, {REPORTS} reports",
        [
            ("/tinhtrang through the engine (median)", f"{figures['bot'] * 1000:.1f} ms"),
            ("bare SQL counting the same rows (median)", f"{figures['bare'] * 1000:.1f} ms"),
            ("ratio (engine / bare SQL)", f"{figures['bot'] / figures['bare']:.2f}"),
            ("successors of the merged units alone (median)", f"{figures['lookup'] * 1000:.2f} ms"),
        ],
    )
    record(
        f"/tinhtrang / bare SQL, {MERGED:,} of {UNITS:,} units merged", figures["bot"] / figures["bare"], at_most=1.5
    )


if __name__ == "__main__":
    main()
