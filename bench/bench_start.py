"""What every start of the bot and every test's app pays, in processor time (all threads), in alternating rounds:

- opening and closing an up-to-date SQLite database: the way now (which migrations are there, read once)
  against the way before, one transaction per migration asking whether it is there (today's open plus
  those transactions: one query more than the old way ran, so the ratio is a little high);
- building the Telegram Application: its two HTTP clients sharing the process's TLS context (the way now)
  against two clients of python-telegram-bot's own, each reading the certificate store (the way before).

Prints the median milliseconds of each and their ratio.

    .venv/bin/python bench/bench_start.py [ROUNDS]
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram.ext import ApplicationBuilder  # noqa: E402

from bench.common import record, report, scratch_dir  # noqa: E402
from bot.channels.telegram.requests import calls_request, get_updates_request  # noqa: E402
from bot.channels.tls import tls_context  # noqa: E402
from bot.storage.database import MIGRATIONS_DIR, Database, fetch_one  # noqa: E402

OPENS = 20
BUILDS = 5
TOKEN = "123456:bench-token"


async def per_migration(db: Database) -> None:
    """The way before: a transaction per migration, each asking whether its migration is there."""
    for path in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.sql")):
        async with db.transaction() as tx:
            await fetch_one(tx, "SELECT 1 FROM schema_migrations WHERE version = ?", (int(path.name[:4]),))


async def opens(template: Path, folder: Path, before: bool) -> float:
    """Processor milliseconds per open and close of a copy of the migrated template."""
    spent = 0.0
    for n in range(OPENS):
        path = folder / f"{n}.db"
        shutil.copyfile(template, path)
        started = time.process_time()
        db = await Database.open(path)
        if before:
            await per_migration(db)
        await db.close()
        spent += time.process_time() - started
        path.unlink()
    return spent / OPENS * 1000


def builds(before: bool) -> float:
    """Processor milliseconds per Telegram Application built."""
    started = time.process_time()
    for _ in range(BUILDS):
        builder = ApplicationBuilder().token(TOKEN)
        if not before:
            builder = builder.request(calls_request()).get_updates_request(get_updates_request())
        builder.build()
    return (time.process_time() - started) / BUILDS * 1000


def alternate(rounds: int, measure: Callable[[bool], float]) -> tuple[float, float]:
    before: list[float] = []
    now: list[float] = []
    for _ in range(rounds):
        before.append(measure(True))
        now.append(measure(False))
    return statistics.median(before), statistics.median(now)


async def main(rounds: int) -> None:
    with scratch_dir("bench-start-") as folder:
        template = folder / "template.db"
        await (await Database.open(template)).close()
        open_before: list[float] = []
        open_now: list[float] = []
        await opens(template, folder, False)  # warm up
        for _ in range(rounds):
            open_before.append(await opens(template, folder, True))
            open_now.append(await opens(template, folder, False))
    tls_context()  # built once per process, as at a start
    build_before, build_now = alternate(rounds, builds)
    db_before, db_now = statistics.median(open_before), statistics.median(open_now)
    report(
        f"Start-up costs, processor ms, median of {rounds} alternating rounds",
        [
            ("open+close, a transaction per migration", f"{db_before:.2f} ms"),
            ("open+close, migrations read once", f"{db_now:.2f} ms"),
            ("ratio", f"{db_before / db_now:.1f}x"),
            ("Telegram Application, own TLS contexts", f"{build_before:.2f} ms"),
            ("Telegram Application, the shared one", f"{build_now:.2f} ms"),
            ("ratio", f"{build_before / build_now:.1f}x"),
        ],
    )
    # The goals are the old ways measured in this run, rounded as the table shows them.
    record("open+close of an up-to-date database", db_now, "ms", at_most=round(db_before, 2))
    record("Telegram Application built", build_now, "ms", at_most=round(build_before / 10, 2))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 5))
