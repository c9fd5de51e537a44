"""The secretariat's daily digest over 100,000 nominations and 100,000 reports (5,000 units, 4 periods past
their deadlines), against the bare SQL that reads and counts the same rows. Both read the same SQLite file
on disk; rounds alternate between the two and their medians are compared."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import statistics
import sys
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.common import Stopwatch, bench_app, campaign_with_periods, record, report, scratch_dir  # noqa: E402
from bot.app import App  # noqa: E402
from bot.digests.compose import LISTED, gather  # noqa: E402
from bot.digests.delivery import digest_replies  # noqa: E402
from bot.domain.digest import DigestKind  # noqa: E402
from bot.storage.repos import Repos  # noqa: E402
from bot.storage.timefmt import to_db  # noqa: E402

UNITS = 5_000
PERIODS = ("Q1", "Q2", "Q3", "Q4")
VERSIONS = 5  # 5,000 units x 4 periods x 5 versions = 100,000 reports
NOMINATIONS = 100_000
ROUNDS = 15
# 17:00 in Đồng Tháp: the daily window is the day up to it.
NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
START = NOW - dt.timedelta(days=1)
NOMINATION_DAYS = 200
REPORT_DAYS = 100
GROUPS = ["CUM1", "CUM2", "KHOI-VHXH", "KHOI-DT"]
OPEN = ("in_review", "needs_info", "submitted")

# What the digest reads, as bare SQL: the window's nominations and reports (counted, and the first few
# listed), the review queue (counted by status, the longest waiting listed), who has reported for each
# period, and the active units.
BARE_SQL = [
    "SELECT COUNT(*) FROM nominations WHERE created_at > :start AND created_at <= :end",
    "SELECT reference, nominee_name, unit_code, category_code FROM nominations"
    " WHERE created_at > :start AND created_at <= :end ORDER BY created_at, id LIMIT :listed",
    "SELECT COUNT(*), SUM(late), SUM(CASE WHEN version > 1 THEN 1 ELSE 0 END) FROM reports"
    " WHERE submitted_at > :start AND submitted_at <= :end",
    "SELECT reference, period_code, unit_code, version, late FROM reports"
    " WHERE submitted_at > :start AND submitted_at <= :end ORDER BY submitted_at, id LIMIT :listed",
    "SELECT n.status, COUNT(*) FROM nominations n LEFT JOIN nomination_reviews r ON r.nomination_id = n.id"
    f" WHERE n.status IN {OPEN} AND r.merged_into IS NULL GROUP BY n.status",
    "SELECT n.reference, n.nominee_name, n.unit_code, n.status FROM nominations n"
    " LEFT JOIN nomination_reviews r ON r.nomination_id = n.id"
    f" WHERE n.status IN {OPEN} AND r.merged_into IS NULL"
    " ORDER BY COALESCE(r.status_since, n.created_at), n.id LIMIT :listed",
    "SELECT period_code, unit_code, MIN(late) FROM reports WHERE submitted_at <= :end GROUP BY period_code, unit_code",
    "SELECT code, name, kind, group_code FROM current_units WHERE status = 'active'",
]


def campaign_file(folder: Path) -> Path:
    return campaign_with_periods(folder, PERIODS, opens="2026-08-01", deadline="2026-11-20", closes="2026-12-31")


# The columns the bench fills, in the order of the rows below.
UNIT_COLUMNS = "code, name, kind, parent_code, group_code, status, source, recorded_at"
NOMINATION_COLUMNS = (
    "reference, campaign_code, status, submitted_by, channel, nominee_kind, nominee_name, unit_code,"
    " category_code, deed, anonymous, nominator_name, nominator_phone, consent_at, created_at"
)
REPORT_COLUMNS = (
    "reference, campaign_code, period_code, unit_code, unit_version_id, version, submitted_by, channel,"
    " submitted_at, late"
)


def unit_rows() -> Iterator[tuple[Any, ...]]:
    now = to_db(NOW)
    return ((f"X-{i:05d}", f"Xã số {i}", "commune", None, GROUPS[i % 4], "active", "bench", now) for i in range(UNITS))


def nomination_rows(user_id: int) -> Iterator[tuple[Any, ...]]:
    """NOMINATIONS nominations over NOMINATION_DAYS up to NOW, in every status, by one user."""
    statuses = ["approved", "rejected", "approved", "submitted", "in_review", "approved", "needs_info", "published"]
    span = dt.timedelta(days=NOMINATION_DAYS).total_seconds()
    for n in range(1, NOMINATIONS + 1):
        created = to_db(NOW - dt.timedelta(seconds=span * (NOMINATIONS - n) / NOMINATIONS))
        yield (
            f"NTVT-2026-{n:06d}",
            "DT-2026",
            statuses[n % len(statuses)],
            user_id,
            "bench",
            "individual",
            f"Nguyễn Văn {n}",
            f"X-{n % UNITS:05d}",
            "PT01",
            "Đã giúp đỡ bà con trong xã vượt qua mùa lũ, vận động quyên góp xây cầu.",
            0,
            "Người đề cử",
            "+84912345678",
            created,
            created,
        )


def report_rows(version_of: dict[str, int], user_id: int) -> Iterator[tuple[Any, ...]]:
    """VERSIONS versions of every unit's report for every period, over REPORT_DAYS up to NOW."""
    span = dt.timedelta(days=REPORT_DAYS).total_seconds()
    total = UNITS * len(PERIODS) * VERSIONS
    for n in range(total):
        version, rest = n // (UNITS * len(PERIODS)) + 1, n % (UNITS * len(PERIODS))
        period, unit = PERIODS[rest % len(PERIODS)], f"X-{rest // len(PERIODS):05d}"
        submitted = to_db(NOW - dt.timedelta(seconds=span * (total - n) / total))
        yield (
            f"BC-{period}-{unit}-v{version}",
            "DT-2026",
            period,
            unit,
            version_of[unit],
            version,
            user_id,
            "bench",
            submitted,
            int(n % 7 == 0),
        )


def insert(table: str, columns: str) -> str:
    return f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' for _ in columns.split(','))})"


def fill(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.executemany(insert("unit_versions", UNIT_COLUMNS), unit_rows())
        (user_id,) = conn.execute(
            "INSERT INTO users (channel, external_id, chat_id, lang, created_at) VALUES ('bench', 'r', 'r', 'vi', ?)"
            " RETURNING id",
            (to_db(NOW),),
        ).fetchone()
        version_of = {
            row[0]: row[1] for row in conn.execute("SELECT code, id FROM unit_versions WHERE source = 'bench'")
        }
        conn.executemany(insert("nominations", NOMINATION_COLUMNS), nomination_rows(user_id))
        conn.executemany(insert("reports", REPORT_COLUMNS), report_rows(version_of, user_id))
        conn.execute("ANALYZE")


async def compare(app: App, bare: Callable[[], Awaitable[list[list[Any]]]], seeding: float) -> dict[str, float]:
    """The daily digest against `bare` (the bare SQL reading the same rows, BARE_SQL's results), checked to
    say what the bare SQL counts, in alternating rounds; the app is closed afterwards. Shared with the
    PostgreSQL bench."""
    services = app.services

    async def digest() -> list[str]:
        async with app.db.reading() as conn:
            data = await gather(Repos(conn), services.campaign, START, NOW, NOW, DigestKind.DAILY)
        return [r.text for r in digest_replies(data, services, "vi", "telegram", None)]

    messages = await digest()
    counted = await bare()
    text = "\n".join(messages)
    # The digest says what the bare SQL counts.
    assert f"🏅 Đề cử mới: {counted[0][0][0]}\n" in text, text[:300]
    assert f"📄 Báo cáo mới: {counted[2][0][0]} " in text
    assert f"⏳ Chờ xét duyệt: {sum(r[1] for r in counted[4])} " in text
    assert "+84912345678" not in text and "Người đề cử" not in text
    digest_times, bare_times = [], []
    for _ in range(ROUNDS):
        watch = Stopwatch()
        await digest()
        digest_times.append(watch.seconds)
        watch = Stopwatch()
        await bare()
        bare_times.append(watch.seconds)
    await app.close()
    return {
        "seeding": seeding,
        "digest": statistics.median(digest_times),
        "bare": statistics.median(bare_times),
        "messages": float(len(messages)),
        "chars": float(len(text)),
        "in_window": float(counted[0][0][0]),
        "reports_in_window": float(counted[2][0][0]),
    }


async def measure() -> dict[str, float]:
    with scratch_dir("bench-digest-") as folder:
        app = await bench_app(folder, campaign_file(folder), NOW)
        watch = Stopwatch()
        fill(app.db.path)
        seeding = watch.seconds
        params = {"start": to_db(START), "end": to_db(NOW), "listed": LISTED}

        async def bare() -> list[list[Any]]:
            async with app.db.reading() as conn:
                return [list(await conn.execute_fetchall(sql, params)) for sql in BARE_SQL]

        return await compare(app, bare, seeding)


def printed(figures: dict[str, float], seeding: str) -> list[tuple[str, str]]:
    """The lines both digest benches print, under their own title."""
    return [
        (seeding, f"{figures['seeding']:.1f} s"),
        ("in the window", f"{int(figures['in_window'])} nominations, {int(figures['reports_in_window'])} reports"),
        (
            "digest composed (median)",
            f"{figures['digest'] * 1000:.1f} ms ({int(figures['messages'])} message(s),"
            f" {int(figures['chars'])} characters)",
        ),
        ("bare SQL reading the same rows (median)", f"{figures['bare'] * 1000:.1f} ms"),
        ("ratio (digest / bare SQL)", f"{figures['digest'] / figures['bare']:.2f}"),
    ]


def main() -> None:
    figures = asyncio.run(measure())
    report(
        f"Daily digest: {NOMINATIONS:,} nominations, {UNITS * len(PERIODS) * VERSIONS:,} reports,"
        f" {UNITS:,} units x {len(PERIODS)} overdue periods",
        printed(figures, "seeding by bulk SQL"),
    )
    record("daily digest", figures["digest"] * 1000, "ms", digits=1)
    record("ratio digest / bare SQL", figures["digest"] / figures["bare"])


if __name__ == "__main__":
    main()
