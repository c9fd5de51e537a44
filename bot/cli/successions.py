"""`units successions import FILE`, `units successions list`, `units split OLD --to NEW`: merged and split
units, from a table of law."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from bot.app import App
from bot.cli.base import add_command
from bot.domain.audit import AuditAction
from bot.domain.successions import plan_successions
from bot.storage.audit import audit
from bot.storage.repos import Repos
from bot.storage.successions import SuccessionRepo
from bot.storage.units import UnitRepo
from bot.successions.questions import ask_secretariat


async def import_table(app: App, args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        text = await asyncio.to_thread(path.read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {path}: {exc}")
        return 1
    now = app.services.clock.now()
    today = now.astimezone(app.services.campaign.campaign.tz).date()
    async with app.db.transaction() as conn:
        plan = plan_successions(text, {u.code for u in await UnitRepo(conn).all()})
        if plan.errors:
            print(f"{path}: nothing imported, {len(plan.errors)} problem(s):")
            for error in plan.errors:
                print(f"  {path}: {error}")
            return 1
        print(f"{len(plan.rows)} row(s) read")
        if args.dry_run:
            print("dry run: nothing was written")
            return 0
        repo = SuccessionRepo(conn)
        added = await repo.record(plan.rows, f"csv:{path.name}", now)
        merged, pending = await repo.apply(today, now, f"csv:{path.name}")
        await ask_secretariat(Repos(conn), app.services, pending, now)
        await audit(
            conn,
            now,
            AuditAction.UNIT_SUCCESSIONS_IMPORTED,
            actor=None,
            channel="cli",
            subject=path.name,
            added=added,
            merged=merged,
        )
    print(f"{added} new row(s); {len(merged)} unit(s) now merged into their successor")
    for code in merged:
        print(f"  merged: {code}")
    _print_pending(pending)
    return 0


def _print_pending(pending: list[Any]) -> None:
    for split in pending:
        print(
            f"  split, waiting for a decision: {split.unit.code} {split.unit.name} → {' / '.join(split.successors)}"
            f"  (python -m bot units split {split.unit.code} --to CODE)"
        )


async def list_table(app: App, args: argparse.Namespace) -> int:
    async with app.db.reading() as conn:
        rows = await SuccessionRepo(conn).all()
    wanted = args.code.upper() if args.code else None
    for s in rows:
        if wanted and wanted not in (s.old_code, s.new_code):
            continue
        district = f" ({s.old_district})" if s.old_district else ""
        print(
            f"{s.old_code} {s.old_name}{district} → {s.new_code} [{s.share.value}]"
            f" from {s.effective.isoformat()}, {s.legal_basis}"
        )
    return 0


async def assign_split(app: App, args: argparse.Namespace) -> int:
    old, new = args.code.upper(), args.to.upper()
    now = app.services.clock.now()
    today = now.astimezone(app.services.campaign.campaign.tz).date()
    async with app.db.transaction() as conn:
        repo = SuccessionRepo(conn)
        successors = {s.new_code for s in await repo.all() if s.old_code == old}
        if not successors:
            print(f"error: {old} is not a former unit of the succession table")
            return 1
        if new not in successors:
            print(f"error: {old}'s successors are {', '.join(sorted(successors))}, not {new}")
            return 1
        await repo.assign(old, new, None, now)
        merged, pending = await repo.apply(today, now, "split")
    print(f"{old}: open items go to {new}" + (f"; merged: {', '.join(merged)}" if merged else ""))
    _print_pending(pending)
    return 0


def register(commands: Any) -> None:
    table = commands.add_parser("successions", help="which former unit went where (merged and split units)")
    actions = table.add_subparsers(dest="successions_command", metavar="ACTION", required=True)
    parser = add_command(
        actions,
        "import",
        import_table,
        help="add rows from a CSV (old_code,old_name,old_district,new_code,share,effective,legal_basis)",
    )
    parser.add_argument("file", help="the CSV file (UTF-8; '#' notes before the header are skipped)")
    parser.add_argument("--dry-run", action="store_true", help="check the file and write nothing")
    listing = add_command(actions, "list", list_table, help="print the table")
    listing.add_argument("code", nargs="?", help="only rows naming this former or new code")
    split = add_command(commands, "split", assign_split, help="say where a split unit's open items go")
    split.add_argument("code", help="the former unit's code")
    split.add_argument("--to", required=True, help="the successor that takes its open items")
