"""The desk's queue page and reporting grid over 100,000 nominations and 5,000 units, served by uvicorn on a
loopback port and asked 20 requests at a time, against the bare SQL each page needs run 20 at a time on
connections of its own. Rounds alternate page / SQL; each figure is per request (median and p95)."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.common import bench_app, campaign_with_periods, record, report, scratch_dir  # noqa: E402
from bot.domain.policy import Grant, Role  # noqa: E402
from bot.domain.review import nominee_key  # noqa: E402
from bot.storage.roles import RoleRepo  # noqa: E402
from bot.storage.timefmt import to_db  # noqa: E402
from bot.storage.users import UserRepo  # noqa: E402
from bot.storage.web_auth import WebAuthRepo  # noqa: E402
from bot.storage.web_desk import PAGE_SIZE  # noqa: E402
from bot.web.server import serve_web, web_server  # noqa: E402

UNITS = 5_000
NOMINATIONS = int(os.environ.get("BENCH_NOMINATIONS", "100000"))
PERIODS = ("Q1", "Q2", "Q3", "Q4")
REPORTS = 20_000
CONCURRENT = 20
ROUNDS = 6
NOW = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
NAMES = ("Nguyễn Văn An", "Lê Thị Đào", "Trần Minh Khoa", "Phạm Thị Hoa", "Võ Văn Bình")

# What the queue's first page reads: the oldest open nominations not merged, with their evidence count and
# possible duplicate, then the names of their units.
QUEUE_SQL = """
SELECT n.id, n.reference, n.nominee_name, n.unit_code, n.status, n.created_at,
 COALESCE(r.status_since, n.created_at) AS waiting_since,
 (SELECT COUNT(*) FROM nomination_files e WHERE e.nomination_id = n.id), d.reference
FROM nominations n LEFT JOIN nomination_reviews r ON r.nomination_id = n.id
LEFT JOIN nominations d ON d.id = r.duplicate_of
WHERE r.merged_into IS NULL AND n.status IN ('in_review', 'needs_info', 'submitted')
ORDER BY waiting_since, n.id LIMIT 51
"""
# What the grid's first page reads: the active units, and the reports of the first hundred.
GRID_UNITS_SQL = "SELECT code, name, kind, group_code FROM current_units WHERE status = 'active' ORDER BY code"
GRID_REPORTS_SQL = (
    "SELECT reference, period_code, unit_code, version, submitted_at, late FROM reports"
    " WHERE period_code IN ('Q1', 'Q2', 'Q3', 'Q4') AND unit_code IN ({marks}) ORDER BY period_code, unit_code, version"
)


def fill(db: Path) -> None:
    now = to_db(NOW)
    groups = ["CUM1", "CUM2", "KHOI-VHXH", "KHOI-DT"]
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO unit_versions (code, name, kind, parent_code, group_code, status, source, recorded_at,"
            " name_key, code_key) VALUES (?, ?, 'commune', NULL, ?, 'active', 'bench', ?, ?, ?)",
            [(f"X-{i:05d}", f"Xã số {i}", groups[i % 4], now, f"xa so {i}", f"x-{i:05d}") for i in range(UNITS)],
        )
        conn.execute(
            "INSERT INTO users (channel, external_id, chat_id, lang, created_at) VALUES ('bench', 'n', 'n', 'vi', ?)",
            (now,),
        )
        statuses = ("submitted", "in_review", "approved", "rejected")
        conn.executemany(
            "INSERT INTO nominations (reference, campaign_code, status, submitted_by, channel, nominee_kind,"
            " nominee_name, nominee_key, unit_code, category_code, deed, anonymous, consent_at, created_at)"
            " VALUES (?, 'DT', ?, 1, 'bench', 'individual', ?, ?, ?, 'PT01', ?, 1, ?, ?)",
            [
                (
                    f"NTVT-2026-{n:06d}",
                    statuses[n % 4],
                    f"{NAMES[n % 5]} {n}",
                    nominee_key(f"{NAMES[n % 5]} {n}"),
                    f"X-{n % UNITS:05d}",
                    "Một việc tốt được kể lại đủ dài để qua mức tối thiểu của hệ thống.",
                    now,
                    to_db(NOW - dt.timedelta(minutes=NOMINATIONS - n)),
                )
                for n in range(NOMINATIONS)
            ],
        )
        rows = []
        for n in range(REPORTS):
            period, unit = PERIODS[n % 4], n // 4
            rows.append((f"BC-{period}-{unit}", "DT", period, f"X-{unit:05d}", f"X-{unit:05d}", now, n % 7 == 0))
        conn.executemany(
            "INSERT INTO reports (reference, campaign_code, period_code, unit_code, unit_version_id, version,"
            " submitted_by, channel, submitted_at, late)"
            " VALUES (?, ?, ?, ?, (SELECT id FROM unit_versions WHERE code = ?), 1, 1, 'bench', ?, ?)",
            rows,
        )


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


async def timed(call: object) -> float:
    started = time.perf_counter()
    await call  # type: ignore[misc]
    return time.perf_counter() - started


async def page_round(client: httpx.AsyncClient, path: str, expect: str) -> list[float]:
    async def one() -> None:
        answer = await client.get(path)
        assert answer.status_code == 200 and expect in answer.text, answer.text[-1500:]

    return list(await asyncio.gather(*(timed(one()) for _ in range(CONCURRENT))))


async def sql_round(db: Path, queries: list[tuple[str, tuple[object, ...]]]) -> list[float]:
    def one() -> None:
        with sqlite3.connect(db) as conn:
            for sql, params in queries:
                conn.execute(sql, params).fetchall()

    return list(await asyncio.gather(*(timed(asyncio.to_thread(one)) for _ in range(CONCURRENT))))


async def measure() -> dict[str, dict[str, list[float]]]:
    with scratch_dir("bench-web-") as folder:
        campaign = campaign_with_periods(folder, PERIODS, opens="2026-10-01", deadline="2026-11-20")
        app = await bench_app(folder, campaign, NOW)
        fill(app.db.path)
        async with app.db.transaction() as conn:
            user = await UserRepo(conn).get_or_create("console", "900", "900", "Văn phòng", "vi", NOW)
            await RoleRepo(conn).grant(user.id, Grant(role=Role.SECRETARIAT), NOW, channel="cli")
            session = await WebAuthRepo(conn).start_session(user.id, NOW)
        with socket_port() as port:
            app.settings.web_port = port
        server = await web_server(app)
        task = asyncio.create_task(serve_web(app, server))
        for _ in range(1000):  # up to ten seconds for the server to listen
            if server.started:
                break
            await asyncio.sleep(0.01)
        with sqlite3.connect(app.db.path) as conn:
            first_units = [r[0] for r in conn.execute(GRID_UNITS_SQL).fetchall()[:100]]
        grid_sql = GRID_REPORTS_SQL.format(marks=", ".join("?" * len(first_units)))
        pages: dict[str, tuple[str, str, list[tuple[str, tuple[object, ...]]]]] = {
            "queue": ("/queue", "NTVT-2026-", [(QUEUE_SQL, ())]),
            "grid": ("/grid", first_units[-1], [(GRID_UNITS_SQL, ()), (grid_sql, tuple(first_units))]),
        }
        times: dict[str, dict[str, list[float]]] = {name: {"page": [], "sql": []} for name in pages}
        # A new connection per request: a kept-alive one may be closed by the server just as it is reused.
        limits = httpx.Limits(max_connections=CONCURRENT, max_keepalive_connections=0)
        try:
            async with httpx.AsyncClient(
                base_url=app.settings.web_url, cookies={"desk_session": session}, limits=limits, timeout=120
            ) as client:
                for name, (path, expect, queries) in pages.items():
                    await page_round(client, path, expect)  # warm up
                    for _ in range(ROUNDS):
                        times[name]["page"] += await page_round(client, path, expect)
                        times[name]["sql"] += await sql_round(app.db.path, queries)
        finally:
            # Stopped on a failure too, so that the script ends with its error instead of waiting on the server.
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await app.close()
    return times


class socket_port:
    """A free loopback port for the server."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
        return port

    def __exit__(self, *exc: object) -> None:
        return None


def spread(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} / {p95(values) * 1000:.1f} ms"


def main() -> None:
    times = asyncio.run(measure())
    rows: list[tuple[str, str]] = []
    for name, found in times.items():
        page, sql = found["page"], found["sql"]
        rows += [
            (
                f"{name} page, per request (median / p95)",
                f"{statistics.median(page) * 1000:.1f} / {p95(page) * 1000:.1f} ms",
            ),
            (
                f"{name} bare SQL, per request (median / p95)",
                f"{statistics.median(sql) * 1000:.1f} / {p95(sql) * 1000:.1f} ms",
            ),
            (f"{name} ratio of medians (page / SQL)", f"{statistics.median(page) / statistics.median(sql):.1f}"),
        ]
        record(f"{name} page / bare SQL, {CONCURRENT} at a time", statistics.median(page) / statistics.median(sql))
    report(
        f"The desk over {NOMINATIONS:,} nominations, {UNITS:,} units and {REPORTS:,} reports;"
        f" {CONCURRENT} requests at a time, {ROUNDS} rounds each (queue page size {PAGE_SIZE})",
        rows,
    )


if __name__ == "__main__":
    main()
