"""The secretariat's XLSX export over 100,000 nominations and 100,000 reports (25,000 units x 4 periods, and
1,000 units that sent nothing), against the bare SQL that reads the same rows. Both read the same SQLite file
on disk; rounds alternate between the two and the medians of their CPU time are compared. Then the export's
peak memory: the resident memory sampled during an export of all the rows and of a fifth of them (flat
memory is the same peak for both), and tracemalloc's peak of Python's own allocations in a separate run
(tracemalloc slows what it watches, so that run is not timed)."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import resource
import sqlite3
import statistics
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.common import Stopwatch, bench_app, campaign_with_periods, record, report, scratch_dir  # noqa: E402
from bot.app import App  # noqa: E402
from bot.domain.export_rows import ExportKind, ExportScope  # noqa: E402
from bot.exports.making import ExportRequest, MadeFile, make_exports  # noqa: E402
from bot.storage.exports import ExportReader  # noqa: E402
from bot.storage.timefmt import to_db  # noqa: E402

UNITS = 25_000
SILENT_UNITS = 1_000
PERIODS = ("Q1", "Q2", "Q3", "Q4")
NOMINATIONS = 100_000
ROUNDS = 3
NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
DAYS = 200
GROUPS = ["CUM1", "CUM2", "KHOI-VHXH", "KHOI-DT"]
STATUSES = ["submitted", "in_review", "needs_info", "approved", "rejected", "published"]
DEED = "Ông đã vận động bà con góp tiền, góp công làm lại cây cầu khỉ cho học sinh đi học an toàn ({n})."
NARRATIVE = "Hỗ trợ sinh kế cho {n} hộ nghèo, xây nhà đại đoàn kết, tập huấn chuyển đổi số cho cán bộ xã."


def campaign_file(folder: Path) -> Path:
    return campaign_with_periods(folder, PERIODS, opens="2026-05-01", deadline="2026-11-20")


def fill(db: Path) -> None:
    """Bulk inserts straight into the file: the shapes the conversations write, without the conversations."""
    rng = random.Random(5)
    start = NOW - dt.timedelta(days=DAYS)
    with sqlite3.connect(db) as conn:
        now = to_db(NOW)
        conn.executemany(
            "INSERT INTO unit_versions (code, name, kind, parent_code, group_code, status, source, recorded_at)"
            " VALUES (?, ?, 'commune', NULL, ?, 'active', 'bench', ?)",
            [(f"X-{i:05d}", f"Xã số {i}", GROUPS[i % 4], now) for i in range(UNITS + SILENT_UNITS)],
        )
        conn.execute(
            "INSERT INTO users (channel, external_id, chat_id, lang, created_at) VALUES ('bench', 'r', 'r', 'vi', ?)",
            (now,),
        )

        def moment(n: int, total: int) -> str:
            return to_db(start + dt.timedelta(seconds=DAYS * 86400 * n / total))

        conn.executemany(
            "INSERT INTO nominations (id, reference, campaign_code, status, submitted_by, channel, nominee_kind,"
            " nominee_name, unit_code, category_code, deed, anonymous, nominator_name, nominator_phone, consent_at,"
            " created_at) VALUES (?, ?, 'DT-2026', ?, 1, 'bench', 'individual', ?, ?, 'PT01', ?, ?, ?, ?, ?, ?)",
            (
                (
                    n + 1,
                    f"NTVT-2026-{n + 1:06d}",
                    rng.choice(STATUSES),
                    f"Nguyễn Văn {n}",
                    f"X-{n % UNITS:05d}",
                    DEED.format(n=n),
                    int(n % 5 == 0),
                    None if n % 5 == 0 else "Trần Thị Bình",
                    None if n % 5 == 0 else f"+849{n:08d}",
                    moment(n, NOMINATIONS),
                    moment(n, NOMINATIONS),
                )
                for n in range(NOMINATIONS)
            ),
        )
        conn.executemany(
            "INSERT INTO nomination_reviews (nomination_id, for_publication, status_since, decided_at)"
            " VALUES (?, ?, ?, ?)",
            (
                (n + 1, int(n % 7 == 0), moment(n, NOMINATIONS), moment(n, NOMINATIONS))
                for n in range(0, NOMINATIONS, 3)
            ),
        )
        # Reports point at the unit version current when they were sent: the bench's units come after the
        # campaign's own.
        (first_version,) = conn.execute("SELECT MIN(id) FROM unit_versions WHERE source = 'bench'").fetchone()
        count = UNITS * len(PERIODS)
        conn.executemany(
            "INSERT INTO reports (id, reference, campaign_code, period_code, unit_code, unit_version_id, version,"
            " submitted_by, channel, submitted_at, late) VALUES (?, ?, 'DT-2026', ?, ?, ?, 1, 1, 'bench', ?, ?)",
            (
                (
                    n + 1,
                    f"BC-2026-{PERIODS[n % 4]}-X-{n // 4:05d}-v1",
                    PERIODS[n % 4],
                    f"X-{n // 4:05d}",
                    first_version + n // 4,
                    moment(n, count),
                    n % 9 == 0,
                )
                for n in range(count)
            ),
        )
        conn.executemany(
            "INSERT INTO report_areas (report_id, area_code, narrative) VALUES (?, ?, ?)",
            ((n + 1, "ND16" if n % 2 else "ND04", NARRATIVE.format(n=n)) for n in range(count)),
        )
        conn.executemany(
            "INSERT INTO report_values (report_id, area_code, indicator_code, value) VALUES (?, ?, ?, ?)",
            (value for n in range(count) for value in _values(n)),
        )


def _values(n: int) -> list[tuple[int, str, str, float]]:
    if n % 2:
        return [(n + 1, "ND16", "HO-THOAT-NGHEO", float(n % 300)), (n + 1, "ND16", "TY-LE-NGHEO", 2.75)]
    return [(n + 1, "ND04", "OCOP-MOI", float(n % 7))]


def bare(db: Path, app: App, scope: ExportScope) -> int:
    """The same rows as the export reads, through the same SQL, fetched and dropped."""
    reader = ExportReader(None, app.services.campaign)  # type: ignore[arg-type]  # only for its SQL
    rows = 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        for sql, params in (reader.nominations_sql(scope), reader.reports_sql(scope)):
            for _ in conn.execute(sql, params):
                rows += 1
        for period in reader.periods_in(scope):
            rows += len(
                conn.execute(
                    "SELECT unit_code, MIN(late) FROM reports WHERE period_code = ? GROUP BY unit_code", (period.code,)
                ).fetchall()
            )
        rows += len(
            conn.execute("SELECT code, name, kind, group_code FROM current_units WHERE status = 'active'").fetchall()
        )
    return rows


async def export(app: App, folder: Path, scope: ExportScope) -> MadeFile:
    request = ExportRequest(scope=scope, kinds=[ExportKind.XLSX])
    services = app.services
    [made] = await make_exports(app.db.path, services.campaign, services.catalog, request, NOW, folder=folder)
    return made


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1024 / 1024


class PeakRss:
    """The process's resident memory, sampled every 5 ms from another thread while the block runs: what an
    export adds at its peak, Python's and the writer's own (Rust) memory alike."""

    def __enter__(self) -> PeakRss:
        self.before = rss_mb()
        self.peak = self.before
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._sample)
        self.thread.start()
        return self

    def _sample(self) -> None:
        while not self.done.wait(0.005):
            self.peak = max(self.peak, rss_mb())

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()

    @property
    def growth(self) -> float:
        return self.peak - self.before


async def measure() -> dict[str, Any]:
    with scratch_dir("bench-export-") as folder:
        app = await bench_app(folder, campaign_file(folder), NOW)
        watch = Stopwatch()
        fill(app.db.path)
        seeded = watch.seconds
        today = NOW.astimezone(app.services.campaign.campaign.tz).date()
        scope = ExportScope(start=today - dt.timedelta(days=DAYS), end=today)
        # A fifth of the dates: a fifth of the nominations and reports, for memory that stays flat.
        small = ExportScope(start=today - dt.timedelta(days=DAYS // 5), end=today)
        export_cpu, bare_cpu, export_wall, bare_wall = [], [], [], []
        made = None
        # CPU time of the whole process (the writer's and the database's threads included), so that other
        # work on the machine weighs little; wall time beside it.
        for _ in range(ROUNDS):
            watch, cpu = Stopwatch(), time.process_time()
            made = await export(app, folder / "out", scope)
            export_cpu.append(time.process_time() - cpu)
            export_wall.append(watch.seconds)
            watch, cpu = Stopwatch(), time.process_time()
            read = bare(app.db.path, app, scope)
            bare_cpu.append(time.process_time() - cpu)
            bare_wall.append(watch.seconds)
        assert made is not None
        with PeakRss() as full:
            await export(app, folder / "full", scope)
        with PeakRss() as fifth:
            small_made = await export(app, folder / "small", small)
        tracemalloc.start()
        await export(app, folder / "traced", scope)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        size = made.path.stat().st_size
        await app.close()
    return {
        "seeded": seeded,
        "export": statistics.median(export_cpu),
        "bare": statistics.median(bare_cpu),
        "export_wall": statistics.median(export_wall),
        "bare_wall": statistics.median(bare_wall),
        "counts": made.counts,
        "small_counts": small_made.counts,
        "read": read,
        "size_mb": size / 1024 / 1024,
        "rss_before": full.before,
        "rss_full": full.growth,
        "rss_fifth": fifth.growth,
        "traced_peak_mb": traced_peak / 1024 / 1024,
    }


def rows_of(counts: dict[str, int]) -> int:
    return counts["nominations"] + counts["reports"] + counts["unreported"]


def main() -> None:
    f = asyncio.run(measure())
    counts = f["counts"]
    rows = rows_of(counts)
    ratio = f["export"] / f["bare"]
    report(
        f"XLSX export: {NOMINATIONS} nominations, {UNITS * len(PERIODS)} reports, {UNITS + SILENT_UNITS} units,"
        f" {len(PERIODS)} periods (seeded in {f['seeded']:.1f} s); {ROUNDS} alternating rounds, medians",
        [
            (
                "export through make_exports (CPU)",
                f"{f['export']:.2f} s for {rows} rows ({counts['nominations']} nominations, {counts['reports']} report"
                f" rows, {counts['unreported']} unreported), {f['size_mb']:.1f} MB, {rows / f['export']:.0f} rows/s",
            ),
            ("bare SQL reading the same rows (CPU)", f"{f['bare']:.2f} s ({f['read']} rows fetched)"),
            ("ratio (export / bare SQL, CPU; goal <= 5)", f"{ratio:.1f}"),
            ("wall time, export / bare SQL", f"{f['export_wall']:.2f} s / {f['bare_wall']:.2f} s"),
            ("RSS before an export", f"{f['rss_before']:.0f} MB"),
            ("peak RSS growth, whole export", f"{f['rss_full']:.1f} MB ({rows} rows)"),
            ("peak RSS growth, a fifth of the dates", f"{f['rss_fifth']:.1f} MB ({rows_of(f['small_counts'])} rows)"),
            ("tracemalloc peak during an export (Python only)", f"{f['traced_peak_mb']:.1f} MB"),
        ],
    )
    record("ratio XLSX export / bare SQL (CPU)", ratio, at_most=5)
    record("export peak RSS growth, all rows", f["rss_full"], "MB", digits=1)
    record("export peak RSS growth, a fifth of the rows", f["rss_fifth"], "MB", digits=1)


if __name__ == "__main__":
    main()
