"""The secretariat's daily digest on PostgreSQL over bench_digest.py's data (100,000 nominations and 100,000
reports, 5,000 units, 4 periods past their deadlines), against the bare SQL that reads and counts the same
rows on the same connection, without the bot's database layer. Rounds alternate between the two and their
medians are compared, as bench_digest.py does on SQLite.

Needs a PostgreSQL server: BENCH_POSTGRES_URL (or TEST_POSTGRES_URL), e.g.
`scripts/with-postgres.sh .venv/bin/python bench/bench_digest_postgres.py`.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_digest import (  # noqa: E402
    BARE_SQL,
    NOMINATION_COLUMNS,
    NOMINATIONS,
    NOW,
    PERIODS,
    REPORT_COLUMNS,
    START,
    UNIT_COLUMNS,
    UNITS,
    VERSIONS,
    campaign_file,
    compare,
    nomination_rows,
    printed,
    report_rows,
    unit_rows,
)
from bench.common import Stopwatch, bench_app, record, report, scratch_dir  # noqa: E402
from bot.digests.compose import LISTED  # noqa: E402
from bot.storage.postgres import PgConnection  # noqa: E402
from bot.storage.timefmt import to_db  # noqa: E402

ROUNDS = 9
# bench_digest.py's statements with psycopg's named placeholders instead of SQLite's.
PG_SQL = [re.sub(r":(\w+)", r"%(\1)s", sql) for sql in BARE_SQL]


async def postgres_database(server: str) -> str:
    import psycopg

    name = f"thidua_bench_{uuid.uuid4().hex[:10]}"
    async with await psycopg.AsyncConnection.connect(server, autocommit=True) as conn:
        await conn.execute(f"CREATE DATABASE {name}".encode())
    return server.rpartition("/")[0] + "/" + name


async def fill(url: str) -> None:
    """The same rows as bench_digest.py's, by COPY, then ANALYZE as there."""
    import psycopg

    async with await psycopg.AsyncConnection.connect(url) as conn:
        async with conn.cursor() as cur:
            async with cur.copy(f"COPY unit_versions ({UNIT_COLUMNS}) FROM STDIN") as copy:
                for row in unit_rows():
                    await copy.write_row(row)
            await cur.execute(
                "INSERT INTO users (channel, external_id, chat_id, lang, created_at)"
                " VALUES ('bench', 'r', 'r', 'vi', %s) RETURNING id",
                (to_db(NOW),),
            )
            (user_id,) = await cur.fetchone() or (0,)
            await cur.execute("SELECT code, id FROM unit_versions WHERE source = 'bench'")
            version_of = {code: unit_id for code, unit_id in await cur.fetchall()}
            async with cur.copy(f"COPY nominations ({NOMINATION_COLUMNS}) FROM STDIN") as copy:
                for row in nomination_rows(user_id):
                    await copy.write_row(row)
            async with cur.copy(f"COPY reports ({REPORT_COLUMNS}) FROM STDIN") as copy:
                for row in report_rows(version_of, user_id):
                    await copy.write_row(row)
        await conn.commit()
        await conn.set_autocommit(True)
        await conn.execute("ANALYZE")


async def measure(server: str) -> dict[str, float]:
    url = await postgres_database(server)
    with scratch_dir("bench-digest-pg-") as folder:
        app = await bench_app(folder, campaign_file(folder), NOW, url)
        watch = Stopwatch()
        await fill(url)
        seeding = watch.seconds
        params = {"start": to_db(START), "end": to_db(NOW), "listed": LISTED}

        async def bare() -> list[list[Any]]:
            # The same snapshot the digest reads in, on the same pooled connection; plain psycopg rows.
            async with app.db.reading() as conn:
                assert isinstance(conn, PgConnection)
                found = []
                for sql in PG_SQL:
                    cursor = await conn.raw.execute(sql, params)
                    found.append(list(await cursor.fetchall()))
                return found

        return await compare(app, bare, seeding)


def main() -> None:
    server = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
    if not server:
        print("bench_digest_postgres: set BENCH_POSTGRES_URL (or run under scripts/with-postgres.sh); skipped")
        return
    figures = asyncio.run(measure(server))
    load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
    report(
        f"Daily digest on PostgreSQL: {NOMINATIONS:,} nominations, {UNITS * len(PERIODS) * VERSIONS:,} reports,"
        f" {UNITS:,} units x {len(PERIODS)} overdue periods; load average {load}",
        printed(figures, "seeding by COPY"),
    )
    record("daily digest on PostgreSQL", figures["digest"] * 1000, "ms", digits=1)
    record("ratio digest / bare SQL on PostgreSQL", figures["digest"] / figures["bare"])


if __name__ == "__main__":
    main()
