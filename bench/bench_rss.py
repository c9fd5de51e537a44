"""Resident memory of a running bot: the real `python -m bot run` (no messenger token, so the terminal chat,
with the outbox, reminders, digests and the browser desk running beside it) on a database holding 10,000
users, 100,000 nominations and 20,000 reports.

Idle is the RSS once the bot has started and sat still; busy is the process's high-water mark (VmHWM) after
simulated traffic typed into its terminal chat by a secretariat member: complete nominations, /tinhtrang, the
review queue, a digest and an XLSX export of the year. The hour of traffic is scaled down: TRAFFIC_ROUNDS
rounds of that mix (a few hundred updates in a minute or two), which is enough to load every library the
traffic needs and to reach the peak of each kind of request; memory that grew with time would need the
whole hour to show. Several rounds are run and the high-water mark read after each, so growth from round
to round shows too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_zalo_nomination import ANSWERS  # noqa: E402
from bench.common import record, report, scratch_dir  # noqa: E402
from bot.storage.keys import nominee_key  # noqa: E402
from bot.storage.timefmt import to_db  # noqa: E402
from tests.support.console import env_for  # noqa: E402

USERS = 10_000
NOMINATIONS = 100_000
REPORTS = 20_000
TRAFFIC_ROUNDS = int(os.environ.get("BENCH_ROUNDS", "4"))
NOMINATIONS_PER_ROUND = 5
CHAT_USER = "3001"
GOAL_MB = 150
NOW = dt.datetime(2026, 11, 28, 2, 0, tzinfo=dt.UTC)
CAMPAIGN = ROOT / "config" / "dong-thap-2023.yaml"
UNITS = ["H-THAPMUOI", "H-LAPVO", "H-TAMNONG", "H-CAOLANH", "TP-SADEC", "SO-NOIVU"]
STATUSES = ["submitted", "in_review", "approved", "rejected", "needs_info", "published"]
DEED = "Chị đã tổ chức lớp học tình thương miễn phí cho trẻ em nghèo trong ấp suốt ba năm liền ({n})."


def fill(db: Path) -> None:
    """The province's data by bulk inserts, in the shapes the conversations write; the terminal chat's user
    holds the secretariat role."""
    now = to_db(NOW)
    with sqlite3.connect(db) as conn:
        conn.executemany(
            "INSERT INTO users (channel, external_id, chat_id, lang, created_at) VALUES ('telegram', ?, ?, 'vi', ?)",
            [(str(100_000 + i), str(100_000 + i), now) for i in range(USERS)],
        )
        conn.execute(
            "INSERT INTO users (channel, external_id, chat_id, lang, created_at) VALUES ('console', ?, ?, 'vi', ?)",
            (CHAT_USER, CHAT_USER, now),
        )
        (desk,) = conn.execute("SELECT id FROM users WHERE channel = 'console'").fetchone()
        conn.execute(
            "INSERT INTO role_grants (user_id, role, unit_code, granted_at) VALUES (?, 'secretariat', NULL, ?)",
            (desk, now),
        )
        conn.executemany(
            "INSERT INTO nominations (reference, campaign_code, status, submitted_by, channel, nominee_kind,"
            " nominee_name, nominee_key, unit_code, category_code, deed, anonymous, nominator_name, nominator_phone,"
            " consent_at, created_at) VALUES (?, 'DT-2026', ?, ?, 'telegram', 'individual', ?, ?, ?, 'PT08', ?, 0,"
            " 'Lê Văn Hai', '+84912345678', ?, ?)",
            (
                (
                    f"NTVT-2025-{n:06d}",
                    STATUSES[n % len(STATUSES)],
                    1 + n % USERS,
                    f"Nguyễn Thị {n}",
                    nominee_key(f"Nguyễn Thị {n}"),
                    UNITS[n % len(UNITS)],
                    DEED.format(n=n),
                    created := to_db(NOW - dt.timedelta(minutes=3 * (NOMINATIONS - n))),
                    created,
                )
                for n in range(NOMINATIONS)
            ),
        )
        version_of = dict(conn.execute("SELECT code, MAX(id) FROM unit_versions GROUP BY code").fetchall())
        per_version = len(UNITS) * 2
        conn.executemany(
            "INSERT INTO reports (reference, campaign_code, period_code, unit_code, unit_version_id, version,"
            " submitted_by, channel, submitted_at, late) VALUES (?, 'DT-2026', ?, ?, ?, ?, ?, 'telegram', ?, ?)",
            (
                (
                    f"BC-{n}",
                    ("6T", "CN")[n % 2],
                    UNITS[n // 2 % len(UNITS)],
                    version_of[UNITS[n // 2 % len(UNITS)]],
                    n // per_version + 1,
                    1 + n % USERS,
                    to_db(NOW - dt.timedelta(minutes=REPORTS - n)),
                    n % 7 == 0,
                )
                for n in range(REPORTS)
            ),
        )
        conn.execute("ANALYZE")


def nominations(folder: Path) -> int:
    with closing(sqlite3.connect(folder / "thidua.db")) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM nominations WHERE channel = 'console'").fetchone()[0])


def round_done(folder: Path, number: int) -> bool:
    return nominations(folder) == number * NOMINATIONS_PER_ROUND and len(list(folder.rglob("*.xlsx"))) >= number


def memory_mb(pid: int) -> dict[str, float]:
    """VmRSS (now) and VmHWM (the high-water mark) of a process, in MB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0]) / 1024
    return found


def traffic() -> list[str]:
    """One round of what the secretariat member types: nominations, the status, the queue, a digest and an
    export of the year's workbook."""
    lines: list[str] = []
    for _ in range(NOMINATIONS_PER_ROUND):
        lines += ANSWERS
    lines += ["/tinhtrang", "/choduyet", "/tonghop", "/xuat CN xlsx", "/tinhtrang"]
    return lines


class RunningBot:
    """`python -m bot run` with the terminal chat on a pipe."""

    def __init__(self, folder: Path) -> None:
        env = env_for(folder)
        self.out = open(folder / "chat.log", "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "run", "--user", CHAT_USER],
            cwd=folder,
            env=env,
            stdin=subprocess.PIPE,
            stdout=self.out,
            stderr=subprocess.STDOUT,
        )
        self.log = folder / "chat.log"

    def say(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write((line + "\n").encode())
        self.process.stdin.flush()

    def wait_for(self, text: str, count: int, timeout: float = 600) -> None:
        self.wait_until(lambda: self.log.read_text(errors="replace").count(text) >= count, timeout)

    def wait_until(self, done: Callable[[], bool], timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the bot stopped or stalled: {self.log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.05)

    def stop(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            self.process.wait(timeout=60)
        finally:
            if self.process.poll() is None:
                self.process.kill()
            self.out.close()


async def seeded(folder: Path) -> None:
    """A migrated database, then the bulk data."""
    from bench.common import bench_app

    app = await bench_app(folder, CAMPAIGN, NOW)
    await app.close()
    fill(folder / "thidua.db")


def measure() -> dict[str, float | list[float]]:
    with scratch_dir("bench-rss-") as folder:
        asyncio.run(seeded(folder))
        bot = RunningBot(folder)
        try:
            bot.say("/start")
            bot.wait_for("Xin chào", 1, timeout=120)
            time.sleep(5)  # started, sat still
            idle = memory_mb(bot.process.pid)["VmRSS"]
            marks: list[float] = []
            started = time.monotonic()
            for number in range(1, TRAFFIC_ROUNDS + 1):
                for line in traffic():
                    bot.say(line)
                # The round's nominations are committed and its workbook made.
                bot.wait_until(functools.partial(round_done, folder, number))
                marks.append(memory_mb(bot.process.pid)["VmHWM"])
            seconds = time.monotonic() - started
            after = memory_mb(bot.process.pid)
            chat = bot.log.read_text(errors="replace")
        finally:
            bot.stop()
        committed = nominations(folder)
    assert committed == TRAFFIC_ROUNDS * NOMINATIONS_PER_ROUND, f"{committed} nominations committed\n{chat[-3000:]}"
    return {
        "idle": idle,
        "busy": after["VmHWM"],
        "rss_after": after["VmRSS"],
        "marks": marks,
        "seconds": seconds,
        "updates": float(TRAFFIC_ROUNDS * len(traffic())),
    }


def main() -> None:
    f = measure()
    marks = f["marks"]
    assert isinstance(marks, list)
    busy, idle = float(f["busy"]), float(f["idle"])  # type: ignore[arg-type]
    report(
        f"RSS of `python -m bot run` on {USERS:,} users, {NOMINATIONS:,} nominations, {REPORTS:,} reports;"
        f" the hour of traffic scaled down to {int(f['updates'])} updates in {f['seconds']:.0f} s",  # type: ignore[arg-type]
        [
            ("idle (started, sat still)", f"{idle:.0f} MB"),
            ("busy (high-water mark after the traffic)", f"{busy:.0f} MB (goal < {GOAL_MB} MB)"),
            ("high-water mark after each round", ", ".join(f"{m:.0f}" for m in marks) + " MB"),
            ("RSS at the end", f"{f['rss_after']:.0f} MB"),
        ],
    )
    record("RSS idle", idle, "MB", digits=0)
    record("RSS busy (high-water mark)", busy, "MB", below=GOAL_MB, digits=0)


if __name__ == "__main__":
    main()
