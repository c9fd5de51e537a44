"""`db copy`: move a province's data from one database to another (SQLite to PostgreSQL), checked."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.storage.copy import CopyRefused, copy_database
from bot.storage.opening import open_database


def _without_password(url: str) -> str:
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme, _, credentials = head.partition("://")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{tail}" if ":" in credentials else url


async def copy(args: argparse.Namespace) -> int:
    """Runs without the app: it needs no campaign, and must not seed units into either database."""
    source = await open_database(args.source)
    try:
        target = await open_database(args.target)
    except BaseException:
        await source.close()
        raise
    try:
        checks = await copy_database(source, target)
    except CopyRefused as exc:
        print(f"error: nothing copied: {exc}", file=sys.stderr)
        return 1
    finally:
        await source.close()
        await target.close()
    width = max((len(c.table) for c in checks), default=5)
    for check in checks:
        mark = "OK" if check.matches else "DIFFERS"
        print(f"{check.table:<{width}}  {check.rows:>9} rows  {check.digest[:16]}  {mark}")
    bad = [c.table for c in checks if not c.matches]
    if bad:
        print(f"error: the copy differs from the source in: {', '.join(bad)}", file=sys.stderr)
        return 1
    total = sum(c.rows for c in checks)
    print(f"copied {total} rows in {len(checks)} tables to {_without_password(args.target)}; every table checked")
    return 0


def register(subparsers: Any) -> None:
    db = subparsers.add_parser("db", help="the database itself: copy it to another engine")
    actions = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    parser = actions.add_parser(
        "copy",
        help="copy every table into a new, empty database and check each (row count and digest)",
        description="Copy every table into a new, empty database (e.g. from SQLite to PostgreSQL) and check "
        "each table's row count and digest on both sides. Refuses a target that holds any rows.",
    )
    parser.add_argument("--from", dest="source", required=True, help="e.g. sqlite:///data/thidua.db")
    parser.add_argument("--to", dest="target", required=True, help="e.g. postgresql://thidua@localhost/thidua")
    parser.set_defaults(standalone=copy)
