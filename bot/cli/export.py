"""`export`: the secretariat's files from the command line: the workbook, the "Hương Sen" bulletin and the
compilation of reports, for a reporting period or a range of dates, written where --out says."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from bot.app import App
from bot.cli.base import add_command
from bot.cli.stat_form import export_form
from bot.domain.export_rows import LONGEST_RANGE, ExportKind, ExportScope, parse_day
from bot.domain.moments import out_of_range
from bot.exports.making import AUDIT_EXPORT, SUFFIX, ExportRequest, file_name, make_exports
from bot.exports.stat_making import FORM_CODES
from bot.storage.audit import audit
from bot.storage.exports import export_source

KINDS = [*(k.value for k in ExportKind), "all"]


class Refused(Exception):
    """A mistake in the arguments, said in a line the operator can act on."""


def scope_from(app: App, args: argparse.Namespace) -> ExportScope:
    campaign = app.services.campaign
    if args.period and (args.start or args.end):
        raise Refused("give either --period or --from/--to, not both")
    if args.period:
        period = next((p for p in campaign.reporting_periods if p.code.lower() == args.period.lower()), None)
        if period is None:
            known = ", ".join(p.code for p in campaign.reporting_periods) or "none"
            raise Refused(f"no reporting period {args.period} (the campaign has: {known})")
        return ExportScope.of_period(period)
    if not args.start:
        raise Refused("say what to export: --period CODE, or --from DATE [--to DATE]")
    start = parse_day(args.start)
    if start is None:
        raise Refused(f"--from: {args.start!r} is not a date (use 2026-10-01 or 01/10/2026)")
    if (problem := out_of_range(start)) is not None:
        raise Refused(f"--from: {problem}")
    if args.end:
        end = parse_day(args.end)
        if end is None:
            raise Refused(f"--to: {args.end!r} is not a date (use 2026-10-31 or 31/10/2026)")
        if (problem := out_of_range(end)) is not None:
            raise Refused(f"--to: {problem}")
    else:
        end = app.services.clock.now().astimezone(campaign.campaign.tz).date()
    if end < start:
        raise Refused(f"--to {end} is before --from {start}")
    if end - start > LONGEST_RANGE:
        raise Refused(f"--from {start} --to {end}: an export covers at most {LONGEST_RANGE.days} days")
    return ExportScope(start=start, end=end)


def targets(out: Path | None, kinds: list[ExportKind], default: Path) -> tuple[Path, dict[ExportKind, Path]]:
    """A folder for made-up names, or the one file's own path when a single kind is written to a file."""
    if out is None:
        return default, {}
    if out.suffix:
        if len(kinds) != 1:
            raise Refused(f"--out {out} names one file, but {len(kinds)} files are asked for: give a folder")
        if out.suffix.lower() != f".{SUFFIX[kinds[0]]}":
            raise Refused(f"--out {out}: a {kinds[0].value} file ends in .{SUFFIX[kinds[0]]}")
        if out.is_dir():
            return out, {}
        return out.parent, {kinds[0]: out}
    return out, {}


def writable(folder: Path, files: list[Path], *, force: bool) -> None:
    """Refuse, in a line, to write where it cannot or to replace a file without --force."""
    existing = [path for path in files if path.exists()]
    if existing and not force:
        raise Refused(f"{existing[0]} exists; add --force to replace it")
    if any(not path.is_file() for path in existing):
        raise Refused(f"{next(p for p in existing if not p.is_file())} is not a file")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise Refused(f"cannot make the folder {folder}: {exc.strerror or exc}") from None
    try:
        # Tried, not judged from permission bits: a read-only mount or /proc says no only when written to.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".probe-"):
            pass
    except OSError as exc:
        raise Refused(f"cannot write in {folder}: {exc.strerror or exc}") from None


async def export(app: App, args: argparse.Namespace) -> int:
    if args.form:
        return await export_form(app, args)
    kinds = list(ExportKind) if args.kind == "all" else [ExportKind(args.kind)]
    try:
        scope = scope_from(app, args)
        folder, paths = targets(args.out, kinds, app.services.files.root / "exports")
    except Refused as exc:
        print(f"error: {exc}")
        return 2
    request = ExportRequest(scope=scope, kinds=kinds, with_contacts=args.with_contacts, lang=args.lang)
    now = app.services.clock.now()
    written = [paths.get(kind) or folder / file_name(app.services.campaign, request, kind, now) for kind in kinds]
    try:
        writable(folder, written, force=args.force)
    except Refused as exc:
        print(f"error: {exc}")
        return 1
    try:
        made = await make_exports(
            export_source(app.db), app.services.campaign, app.services.catalog, request, now, folder=folder, paths=paths
        )
    except Exception as exc:  # the disk, the path or the file writer: one line, not a library's traceback
        print(f"error: could not write the files in {folder}: {exc or type(exc).__name__}")
        return 1
    async with app.db.transaction() as conn:
        await audit(
            conn,
            now,
            AUDIT_EXPORT,
            actor=None,
            channel="cli",
            subject=scope.slug(),
            kinds=[k.value for k in kinds],
            with_contacts=request.with_contacts,
            files=[m.filename for m in made],
        )
    what = scope.period.name.vi if scope.period else scope.dates()
    print(f"{what} ({scope.start:%Y-%m-%d} .. {scope.end:%Y-%m-%d})")
    for file in made:
        counts = ", ".join(f"{value} {name}" for name, value in file.counts.items())
        print(f"{file.path}  {counts}")
    if request.with_contacts:
        print("note: the workbook holds nominators' phone numbers; keep it within the secretariat")
    return 0


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "export",
        export,
        help="write the secretariat's files: workbook, Hương Sen bulletin, compilation of reports",
        description="Write the workbook (nominations, reports, units not reported), the Hương Sen bulletin of "
        "the approved nominations marked for publication, and the compilation of the reports, for a reporting "
        "period or a range of dates (local dates, both included).",
    )
    parser.add_argument("--period", help="the reporting period's code, e.g. 6T")
    parser.add_argument("--from", dest="start", metavar="DATE", help="first day, e.g. 2026-10-01 or 01/10/2026")
    parser.add_argument("--to", dest="end", metavar="DATE", help="last day (default: today)")
    parser.add_argument("--kind", choices=KINDS, default="all", help="which file (default: all)")
    parser.add_argument(
        "--out", type=Path, help="a folder, or a file path when one kind is asked (default: DATA_DIR/files/exports)"
    )
    parser.add_argument(
        "--force", action="store_true", help="replace a file of the same name (otherwise an existing file is kept)"
    )
    parser.add_argument(
        "--with-contacts",
        action="store_true",
        help="keep the nominators' names and phone numbers in the workbook (administrators only)",
    )
    parser.add_argument("--lang", choices=["vi", "en"], default="vi", help="the files' language (default: vi)")
    parser.add_argument(
        "--form", help=f"the year's statistical form instead ({', '.join(FORM_CODES)}), e.g. 0603 --year 2026"
    )
    parser.add_argument("--year", type=int, help="the statistical form's year (default: this year)")
