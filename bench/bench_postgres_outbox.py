"""Outbox fan-out on PostgreSQL with two worker processes, against the configured rate and against one
worker on SQLite at the same rate. Rounds alternate (A B A B) and each figure is the median of its rounds.

The rate limit is one budget shared by the workers (a row in the database), so each worker is configured
with the messenger's whole rate. The figure is delivered messages per second divided by the configured
rate (the goal is 0.95 or more); duplicates are counted from what the fake messenger received.

Needs a PostgreSQL server: BENCH_POSTGRES_URL (or TEST_POSTGRES_URL) naming a database the bench may create
databases from, e.g. `scripts/with-postgres.sh .venv/bin/python bench/bench_postgres_outbox.py`.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import record, report, scratch_dir  # noqa: E402

MESSAGES = 1500
RATE = 500.0  # messages per second for the messenger as a whole
ROUNDS = 3
# Sends under way at once: at this rate a real messenger answering in about 0.1 s needs 50 at once.
CONCURRENCY = 64

CHILD = """
import asyncio, datetime as dt, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
from bot.clock import SystemClock
from bot.outbox.limits import ChannelLimits
from bot.outbox.worker import OutboxWorker
from bot.storage.opening import open_database

NAME = sys.argv[1]
CONCURRENCY = {concurrency}

class FileSender:
    channel = "telegram"
    def __init__(self):
        self.log = open({folder!r} + "/sent-" + NAME, "a")
    async def send(self, chat_id, reply):
        self.log.write(chat_id + "\\n")

async def main():
    db = await open_database({url!r})
    Path({folder!r}, "ready-" + NAME).touch()
    while len(list(Path({folder!r}).glob("ready-*"))) < {workers}:
        await asyncio.sleep(0.001)
    worker = OutboxWorker(db, {{"telegram": FileSender()}}, SystemClock(),
                          {{"telegram": ChannelLimits(per_second={rate})}}, give_up_after=dt.timedelta(days=3650),
                          concurrency=CONCURRENCY)
    await worker.drain()
    Path({folder!r}, "done-" + NAME).write_text(str(time.time()))
    await db.close()

asyncio.run(main())
"""


async def fill(url: str) -> None:
    import datetime as dt

    from bot.conversation.messages import Reply
    from bot.storage.opening import open_database
    from bot.storage.outbox import OutboxRepo

    db = await open_database(url)
    now = dt.datetime.now(dt.UTC)
    async with db.transaction() as conn:
        repo = OutboxRepo(conn)
        for i in range(MESSAGES):
            await repo.enqueue(f"b:{i}", "telegram", str(10_000 + i), Reply(text=f"Tin {i}"), "bench", now)
    await db.close()


def run_workers(url: str, folder: Path, workers: int) -> tuple[float, int, int]:
    """(messages per second, delivered, duplicates) for `workers` processes sharing RATE."""
    folder.mkdir()
    script = folder / "worker.py"
    rate = RATE
    script.write_text(
        CHILD.format(root=str(ROOT), url=url, folder=str(folder), workers=workers, rate=rate, concurrency=CONCURRENCY),
        encoding="utf-8",
    )
    children = [subprocess.Popen([sys.executable, str(script), f"w{n}"]) for n in range(workers)]
    while len(list(folder.glob("ready-*"))) < workers:
        time.sleep(0.001)
    started = time.time()
    for child in children:
        child.wait()
    finished = max(float(p.read_text()) for p in folder.glob("done-*"))
    sent = [line for p in folder.glob("sent-*") for line in p.read_text().splitlines()]
    return len(set(sent)) / (finished - started), len(set(sent)), len(sent) - len(set(sent))


async def postgres_database(server: str) -> str:
    import psycopg

    name = f"thidua_bench_{uuid.uuid4().hex[:10]}"
    async with await psycopg.AsyncConnection.connect(server, autocommit=True) as conn:
        await conn.execute(f"CREATE DATABASE {name}".encode())
    return server.rpartition("/")[0] + "/" + name


def main() -> None:
    server = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
    if not server:
        print("bench_postgres_outbox: set BENCH_POSTGRES_URL (or run under scripts/with-postgres.sh); skipped")
        return
    postgres: list[float] = []
    sqlite: list[float] = []
    duplicates = 0
    with scratch_dir("thidua-bench-pg-") as folder:
        for round_ in range(ROUNDS):
            url = asyncio.run(postgres_database(server))
            asyncio.run(fill(url))
            per_second, delivered, doubled = run_workers(url, folder / f"pg-{round_}", 2)
            assert delivered == MESSAGES, f"only {delivered} of {MESSAGES} delivered on PostgreSQL"
            postgres.append(per_second / RATE)
            duplicates += doubled

            url = f"sqlite:///{folder / f'sqlite-{round_}.db'}"
            asyncio.run(fill(url))
            per_second, delivered, doubled = run_workers(url, folder / f"sqlite-{round_}", 1)
            assert delivered == MESSAGES, f"only {delivered} of {MESSAGES} delivered on SQLite"
            sqlite.append(per_second / RATE)
            duplicates += doubled
    report(
        f"outbox fan-out of {MESSAGES} messages at {RATE:.0f}/s configured, median of {ROUNDS} alternating rounds",
        [
            ("PostgreSQL, 2 workers sharing the rate", f"{statistics.median(postgres):.3f} of the configured rate"),
            ("SQLite, 1 worker", f"{statistics.median(sqlite):.3f} of the configured rate"),
            ("PostgreSQL / SQLite", f"{statistics.median(postgres) / statistics.median(sqlite):.3f}"),
            ("duplicates", str(duplicates)),
        ],
    )
    record("PostgreSQL 2 workers, share of the configured rate", statistics.median(postgres), at_least=0.95)
    record("SQLite 1 worker, share of the configured rate", statistics.median(sqlite))
    record("duplicates", duplicates, at_most=0, digits=0)


if __name__ == "__main__":
    main()
