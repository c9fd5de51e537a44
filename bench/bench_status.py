"""The secretariat's /tinhtrang over 5,000 units, 4 open periods and 20,000 reports, and over 50,000 units
and 200,000 reports, against the bare SQL that counts the same rows. Both read the same SQLite file on
disk; rounds alternate and the medians of their CPU time (the database thread included) are compared."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.common import bench_app, campaign_with_periods, record, report, scratch_dir  # noqa: E402
from bot.conversation.messages import Incoming, Kind  # noqa: E402
from bot.domain.policy import Grant, Role  # noqa: E402
from bot.storage.roles import RoleRepo  # noqa: E402
from bot.storage.timefmt import to_db  # noqa: E402
from bot.storage.users import UserRepo  # noqa: E402

UNITS = 5_000
SIZES = (5_000, 50_000)
PERIODS = ("Q1", "Q2", "Q3", "Q4")
REPORTS = 20_000  # every unit has reported for every period
ROUNDS = 20
NOW = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)

BARE_SQL = """
SELECT v.group_code, r.period_code, COUNT(DISTINCT r.unit_code), SUM(r.late)
FROM reports r JOIN current_units v ON v.code = r.unit_code AND v.status = 'active'
GROUP BY v.group_code, r.period_code
"""


def campaign_file(folder: Path) -> Path:
    return campaign_with_periods(folder, PERIODS, opens="2026-10-01", deadline="2026-11-20", closes="2026-12-31")


def fill(db: Path, units: int = UNITS) -> None:
    groups = ["CUM1", "CUM2", "KHOI-VHXH", "KHOI-DT"]
    now = to_db(NOW)
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO unit_versions (code, name, kind, parent_code, group_code, status, source, recorded_at)"
            " VALUES (?, ?, 'commune', NULL, ?, 'active', 'bench', ?)",
            [(f"X-{i:05d}", f"Xã số {i}", groups[i % 4], now) for i in range(units)],
        )
        conn.execute(
            "INSERT INTO users (channel, external_id, chat_id, lang, created_at) VALUES ('bench', 'r', 'r', 'vi', ?)",
            (now,),
        )
        rows = []
        for n in range(len(PERIODS) * units):
            period, unit = PERIODS[n % 4], n // 4
            rows.append(
                (f"BC-{period}-{unit}", "DT", period, f"X-{unit:05d}", f"X-{unit:05d}", 1, 1, "bench", now, n % 7 == 0)
            )
        conn.executemany(
            "INSERT INTO reports (reference, campaign_code, period_code, unit_code, unit_version_id, version,"
            " submitted_by, channel, submitted_at, late)"
            " VALUES (?, ?, ?, ?, (SELECT id FROM unit_versions WHERE code = ?), ?, ?, ?, ?, ?)",
            rows,
        )


async def measure(units: int = UNITS) -> dict[str, float]:
    with scratch_dir("bench-status-") as folder:
        app = await bench_app(folder, campaign_file(folder), NOW)
        fill(app.db.path, units)
        async with app.db.transaction() as conn:
            user = await UserRepo(conn).get_or_create("console", "900", "900", None, "vi", NOW)
            await RoleRepo(conn).grant(user.id, Grant(role=Role.SECRETARIAT), NOW, channel="cli")
        ask = Incoming(channel="console", user_id="900", chat_id="900", kind=Kind.COMMAND, command="tinhtrang")
        replies = await app.engine.handle(ask)
        assert "Đã gửi" in replies[0].text, replies[0].text
        # Rounds alternate between the two, and the medians are compared, so that a burst of load on the
        # machine weighs on both alike.
        bot_times, bare_times = [], []
        for _ in range(ROUNDS):
            started = time.process_time()
            await app.engine.handle(ask)
            bot_times.append(time.process_time() - started)
            started = time.process_time()
            async with app.db.reading() as conn:
                counted = list(await conn.execute_fetchall(BARE_SQL))
            bare_times.append(time.process_time() - started)
        bot_seconds, bare_seconds = statistics.median(bot_times), statistics.median(bare_times)
        assert sum(int(r[2]) for r in counted) == len(PERIODS) * units
        await app.close()
    return {"bot": bot_seconds, "bare": bare_seconds, "chars": float(len(replies[0].text))}


def main() -> None:
    for units in SIZES:
        figures = asyncio.run(measure(units))
        ratio = figures["bot"] / figures["bare"]
        report(
            f"/tinhtrang for the secretariat: {units:,} units x {len(PERIODS)} periods,"
            f" {len(PERIODS) * units:,} reports ({ROUNDS} alternating rounds, CPU medians)",
            [
                (
                    "/tinhtrang through the engine",
                    f"{figures['bot'] * 1000:.1f} ms ({int(figures['chars'])} characters)",
                ),
                ("bare SQL counting the same rows", f"{figures['bare'] * 1000:.1f} ms"),
                ("ratio (engine / bare SQL, goal <= 1.5)", f"{ratio:.2f}"),
            ],
        )
        record(f"/tinhtrang / bare SQL, {units:,} units", ratio, at_most=1.5)


if __name__ == "__main__":
    main()
