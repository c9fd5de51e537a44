"""Reminder planning for 10,000 units x 4 periods, the steady minutely tick, and a fan-out of 3,000
reminders at 100/s.

The first plan is timed against two baselines in the same run, in alternating rounds: the bare SQL a
developer would write to read the same inputs (every column of the active units, grants with their users,
every report's period and unit, every decision), and the bare SQL of exactly the queries the planner runs
(recorded from a plan, run again without building anything). Each plan is a first one: the active units the
process keeps between requests are forgotten before it. The steady tick is the running bot's wake-up once that
plan is committed, a minute later each time, with nothing due. The fan-out runs the real worker on the real
clock against a sender that only records, and reports the achieved rate against the configured one and the
duplicates.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import aiosqlite

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.common import Stopwatch, bench_app, campaign_with_periods, record, report, scratch_dir  # noqa: E402
from bot.clock import FixedClock, SystemClock  # noqa: E402
from bot.conversation.messages import Reply  # noqa: E402
from bot.outbox.limits import ChannelLimits  # noqa: E402
from bot.outbox.worker import OutboxWorker  # noqa: E402
from bot.reminders.jobs import DuePlanner, plan_from_db  # noqa: E402
from bot.reminders.planner import Plan  # noqa: E402
from bot.storage.outbox import OutboxRepo  # noqa: E402
from bot.storage.reminder_log import ReminderLog  # noqa: E402
from bot.storage.timefmt import to_db  # noqa: E402
from bot.storage.units import forget_active_units  # noqa: E402

if TYPE_CHECKING:
    from bot.app import App

UNITS = 10_000
PERIODS = ("Q1", "Q2", "Q3", "Q4")
FAN_OUT = 3_000
RATE = 100.0
ROUNDS = 7
TICKS = 15
NOW = dt.datetime(2026, 12, 3, 1, 0, tzinfo=dt.UTC)  # 08:00 local, 7 days before the deadlines

BASELINE_SQL = (
    "SELECT * FROM current_units WHERE status = 'active'",
    "SELECT g.*, u.* FROM role_grants g JOIN users u ON u.id = g.user_id WHERE g.revoked_at IS NULL",
    "SELECT DISTINCT period_code, unit_code FROM reports",
    "SELECT key FROM reminder_log",
)


def campaign_file(folder: Path) -> Path:
    return campaign_with_periods(folder, PERIODS, opens="2026-10-01", deadline="2026-12-10")


def fill(db: Path) -> None:
    now = to_db(NOW)
    groups = ["CUM1", "CUM2", "KHOI-VHXH", "KHOI-DT"]
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO unit_versions (code, name, kind, group_code, status, source, recorded_at)"
            " VALUES (?, ?, 'commune', ?, 'active', 'bench', ?)",
            [(f"X-{i:05d}", f"Xã số {i}", groups[i % 4], now) for i in range(UNITS)],
        )
        conn.executemany(
            "INSERT INTO users (channel, external_id, chat_id, lang, created_at) VALUES ('telegram', ?, ?, 'vi', ?)",
            [(str(i), str(i), now) for i in range(UNITS)],
        )
        conn.executemany(
            "INSERT INTO role_grants (user_id, role, unit_code, granted_at) VALUES (?, 'unit_rep', ?, ?)",
            [(i + 1, f"X-{i:05d}", now) for i in range(UNITS)],
        )
        # A third of the units have reported for each period.
        conn.executemany(
            "INSERT INTO reports (reference, campaign_code, period_code, unit_code, unit_version_id, version,"
            " submitted_by, channel, submitted_at, late) VALUES (?, 'DT', ?, ?, ?, 1, ?, 'telegram', ?, 0)",
            [(f"BC-{p}-{i}", p, f"X-{i:05d}", i + 1, i + 1, now) for p in PERIODS for i in range(0, UNITS, 3)],
        )


async def queries_of_a_plan(app: App) -> list[str]:
    """The statements a first plan runs, with their values written in."""
    forget_active_units()
    statements: list[str] = []
    async with app.db.reading() as conn:
        assert isinstance(conn, aiosqlite.Connection)
        await conn.set_trace_callback(statements.append)
        try:
            await plan_from_db(conn, app.services, NOW)
        finally:
            await conn.set_trace_callback(None)  # type: ignore[arg-type]  # None clears it, as in sqlite3
    return [sql for sql in statements if sql.lstrip().upper().startswith("SELECT")]


async def bare(app: App, statements: Sequence[str]) -> float:
    """CPU time of running the statements and fetching their rows, nothing built from them."""
    started = time.process_time()
    async with app.db.reading() as conn:
        for sql in statements:
            await conn.execute_fetchall(sql)
    return time.process_time() - started


class CountingSender:
    channel = "telegram"

    def __init__(self) -> None:
        self.sent: Counter[str] = Counter()

    async def send(self, chat_id: str, reply: Reply) -> None:
        self.sent[chat_id] += 1


async def measure() -> dict[str, float]:
    with scratch_dir("bench-reminders-") as folder:
        app = await bench_app(folder, campaign_file(folder), NOW)
        fill(app.db.path)

        # Rounds alternate between the plan and its baseline and the medians are compared, so that load on
        # the machine weighs on both alike; CPU time of the process (the database thread included).
        planner_sql = await queries_of_a_plan(app)
        plan_times, bare_times, exact_times = [], [], []
        kept: list[Plan] = []
        for _ in range(ROUNDS):
            forget_active_units()
            kept.clear()  # the last round's plan is not this one's to free
            started = time.process_time()
            async with app.db.reading() as conn:
                kept.append(await plan_from_db(conn, app.services, NOW))
            plan_times.append(time.process_time() - started)
            bare_times.append(await bare(app, BASELINE_SQL))
            exact_times.append(await bare(app, planner_sql))
        [planned] = kept
        plan_seconds = statistics.median(plan_times)
        bare_seconds, exact_seconds = statistics.median(bare_times), statistics.median(exact_times)
        planned_count = sum(len(step.units) for step in planned.steps)

        # The running bot's wake-up once the plan's decisions are recorded (as its first run records them,
        # without queueing its 26,000 messages here): it plans once at start, finds nothing, and then a
        # minute passes between ticks and nothing falls due.
        async with app.db.transaction() as conn:
            await ReminderLog(conn).record(planned.sent, "sent", NOW)
            await ReminderLog(conn).record(planned.skipped, "skipped", NOW)
        clock = app.services.clock
        assert isinstance(clock, FixedClock)
        tick = DuePlanner(app.db, app.services)
        started = time.perf_counter()
        assert await tick() == 0
        start_seconds = time.perf_counter() - started
        tick_times = []
        for _ in range(TICKS):
            clock.advance(dt.timedelta(minutes=1))
            started = time.perf_counter()
            assert await tick() == 0
            tick_times.append(time.perf_counter() - started)
        tick_seconds = statistics.median(tick_times)

        # The fan-out runs on the real clock, so it is queued as due now, whatever the date.
        queued_at = SystemClock().now()
        async with app.db.transaction() as conn:
            repo = OutboxRepo(conn)
            for i in range(FAN_OUT):
                await repo.enqueue(
                    f"fan:{i}", "telegram", str(100_000 + i), Reply(text="Nhắc hạn báo cáo"), "bench", queued_at
                )
        sender = CountingSender()
        worker = OutboxWorker(app.db, {"telegram": sender}, SystemClock(), {"telegram": ChannelLimits(per_second=RATE)})
        watch = Stopwatch()
        await worker.drain()
        fan_seconds = watch.seconds
        await app.close()
    return {
        "plan": plan_seconds,
        "bare": bare_seconds,
        "exact": exact_seconds,
        "planned": float(planned_count),
        "start_tick": start_seconds,
        "tick": tick_seconds,
        "fan_seconds": fan_seconds,
        "delivered": float(sum(sender.sent.values())),
        "duplicates": float(sum(n - 1 for n in sender.sent.values() if n > 1)),
    }


def main() -> None:
    f = asyncio.run(measure())
    achieved = f["delivered"] / f["fan_seconds"]
    report(
        f"Reminders: {UNITS} units x {len(PERIODS)} periods ({ROUNDS} alternating rounds); fan-out of {FAN_OUT}"
        f" at {RATE:.0f}/s",
        [
            ("first plan (read + plan, CPU median)", f"{f['plan'] * 1000:.0f} ms for {int(f['planned'])} reminders"),
            ("bare SQL reading the same inputs, written naively (CPU median)", f"{f['bare'] * 1000:.0f} ms"),
            ("ratio (planning / naive bare SQL)", f"{f['plan'] / f['bare']:.2f}"),
            ("bare SQL of exactly the planner's queries (CPU median)", f"{f['exact'] * 1000:.0f} ms"),
            ("ratio (planning / the planner's own bare SQL)", f"{f['plan'] / f['exact']:.2f}"),
            ("first plan goal", "< 200 ms"),
            ("first tick at start-up (plans in full, nothing due)", f"{f['start_tick'] * 1000:.0f} ms"),
            ("steady tick, nothing due (median)", f"{f['tick'] * 1000:.2f} ms (goal < 10 ms)"),
            ("fan-out", f"{int(f['delivered'])} delivered in {f['fan_seconds']:.1f} s = {achieved:.1f}/s"),
            ("achieved / configured rate (target >= 0.95)", f"{achieved / RATE:.3f}"),
            ("duplicates (must be 0)", f"{int(f['duplicates'])}"),
        ],
    )
    record("first plan, 10,000 units x 4 periods (CPU)", f["plan"] * 1000, "ms", below=200, digits=0)
    record("ratio first plan / naive bare SQL", f["plan"] / f["bare"])
    record("ratio first plan / the planner's own bare SQL", f["plan"] / f["exact"])
    record("steady tick, nothing due", f["tick"] * 1000, "ms", below=10)
    record("fan-out, achieved / configured rate", achieved / RATE, at_least=0.95, digits=3)
    record("fan-out duplicates", f["duplicates"], at_most=0, digits=0)


if __name__ == "__main__":
    main()
