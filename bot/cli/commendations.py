"""`commendations annex NUMBER [--out DIR]`: the list annexed to a commendation decision, Word and Excel."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from bot.app import App
from bot.cli.base import add_command
from bot.exports.annex import annex_of, write_annex_docx, write_annex_xlsx
from bot.handlers.annex import file_stem
from bot.storage.commendations import CommendationRepo
from bot.storage.unit_successors import display_names


async def annex(app: App, args: argparse.Namespace) -> int:
    async with app.db.reading() as conn:
        repo = CommendationRepo(conn)
        decision = await repo.decision(args.number)
        if decision is None:
            print(f"error: no commendation decision numbered {args.number}")
            return 1
        made = annex_of(
            decision, await repo.in_decision(args.number), await display_names(conn), app.services.catalog, args.lang
        )
    folder: Path = args.out or app.services.files.root / "exports"
    stem = file_stem(args.number)
    try:
        for suffix, writer in (("docx", write_annex_docx), ("xlsx", write_annex_xlsx)):
            path = folder / f"{stem}.{suffix}"
            writer(made, app.services.catalog, args.lang, path)
            print(path)
    except OSError as exc:
        print(f"error: could not write the files: {exc}")
        return 1
    print(f"{len(made.rows)} recipient(s) in decision {decision.number} of {decision.signed_on:%d/%m/%Y}")
    return 0


def register(subparsers: Any) -> None:
    group = subparsers.add_parser("commendations", help="commendation decisions: the annex list of one")
    actions = group.add_subparsers(dest="commendations_command", metavar="ACTION", required=True)
    parser = add_command(actions, "annex", annex, help="write the list annexed to a decision (Word and Excel)")
    parser.add_argument("number", help="the decision's number, e.g. 1234/QĐ-UBND")
    parser.add_argument("--out", type=Path, help="the folder (default: DATA_DIR/files/exports)")
    parser.add_argument("--lang", choices=["vi", "en"], default="vi", help="the files' language (default: vi)")
