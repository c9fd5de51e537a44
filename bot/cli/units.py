"""`units import FILE.csv [--dry-run]` and `units list`."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from bot.app import App
from bot.cli import successions
from bot.cli.base import add_command
from bot.domain.audit import AuditAction
from bot.domain.unit_import import decode_csv, describe_change, plan_import
from bot.domain.units import grouped_tree_lines
from bot.storage.audit import audit
from bot.storage.units import UnitRepo

# Units written per transaction: a chat user's step waits behind one chunk at most, never the whole file.
CHUNK = 500


async def import_units(app: App, args: argparse.Namespace) -> int:
    """Read and check the file against the units as they are, with no write lock held (a dry run takes none at
    all), then write the changes in short transactions, each making sure nobody changed the units meanwhile."""
    path = Path(args.file)
    try:
        text = decode_csv(await asyncio.to_thread(path.read_bytes))
    except OSError as exc:
        print(f"error: cannot read {path}: {exc.strerror or exc}")
        return 1
    except ValueError as exc:
        print(f"{path}: nothing imported: {exc}")
        return 1
    groups = {g.code for g in app.services.campaign.groups}
    async with app.db.reading() as conn:
        repo = UnitRepo(conn)
        existing, seen = await repo.all(), await repo.fingerprint()
    plan = await asyncio.to_thread(plan_import, text, existing, groups)
    for note in plan.notes:
        print(f"note: {path}: {note}")
    if plan.errors:
        print(f"{path}: nothing imported, {len(plan.errors)} problem(s):")
        for error in plan.errors:
            print(f"  {path}: {error}")
        return 1
    for fields in plan.new:
        print(f"+ {fields.code}  {fields.name}")
    for before, after in plan.changed:
        print(f"~ {before.code}  {describe_change(before, after)}")
    print(f"{len(plan.new)} new, {len(plan.changed)} changed, {plan.unchanged} unchanged")
    if args.dry_run:
        print("dry run: nothing was written")
        return 0
    changes = [*plan.new, *(after for _, after in plan.changed)]
    now = app.services.clock.now()
    for start in range(0, len(changes), CHUNK):
        async with app.db.transaction() as conn:
            repo = UnitRepo(conn)
            if await repo.fingerprint() != seen:
                print(
                    f"error: the units changed while {path} was being imported; {start} of {len(changes)} written."
                    " Run the import again to finish: what is already written is left unchanged."
                )
                return 1
            await repo.record_many(changes[start : start + CHUNK], f"csv:{path.name}", now)
            seen = await repo.fingerprint()
    async with app.db.transaction() as conn:
        await audit(
            conn,
            now,
            AuditAction.UNITS_IMPORTED,
            actor=None,
            channel="cli",
            subject=path.name,
            new=len(plan.new),
            changed=len(plan.changed),
        )
    return 0


async def list_units(app: App, args: argparse.Namespace) -> int:
    async with app.db.reading() as conn:
        units = await UnitRepo(conn).all()
    groups = [(g.code, g.name.get("vi")) for g in app.services.campaign.groups]
    for line in grouped_tree_lines(units if args.all else [u for u in units if u.active], groups):
        print(line)
    return 0


async def unit_history(app: App, args: argparse.Namespace) -> int:
    async with app.db.reading() as conn:
        versions = await UnitRepo(conn).history(args.code.upper())
    if not versions:
        print(f"error: no unit {args.code}")
        return 1
    for unit in versions:
        merged = f" into {unit.merged_into}" if unit.merged_into else ""
        print(
            f"#{unit.version_id:<6} {unit.name} | {unit.kind} | parent {unit.parent or '-'} | group {unit.group or '-'}"
            f" | {unit.status.value}{merged} | from {unit.source}"
        )
    return 0


def register(subparsers: Any) -> None:
    units = subparsers.add_parser(
        "units", help="list the unit tree, import units from a CSV file, see a unit's history"
    )
    commands = units.add_subparsers(dest="units_command", metavar="ACTION", required=True)
    parser = add_command(
        commands,
        "import",
        import_units,
        help="add or update units from a CSV file (columns: code,name,kind,parent,group,status,merged_into)",
    )
    parser.add_argument("file", help="the CSV file (UTF-8, header row first)")
    parser.add_argument("--dry-run", action="store_true", help="show what would change and write nothing")
    listing = add_command(commands, "list", list_units, help="print the unit tree")
    listing.add_argument("--all", action="store_true", help="include merged and retired units")
    history = add_command(commands, "history", unit_history, help="every version of one unit, oldest first")
    history.add_argument("code")
    successions.register(commands)
