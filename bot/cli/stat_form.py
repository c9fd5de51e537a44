"""`export --form 0603 --year 2026`: the year's statistical form from the command line."""

from __future__ import annotations

import argparse

from bot.app import App
from bot.domain.audit import AuditAction
from bot.exports.stat_making import gather_form
from bot.storage.audit import audit
from bot.storage.commendations import CommendationRepo


async def export_form(app: App, args: argparse.Namespace) -> int:
    year = args.year or app.services.clock.now().astimezone(app.services.campaign.campaign.tz).year
    now = app.services.clock.now()
    async with app.db.transaction() as conn:
        filled = await gather_form(CommendationRepo(conn), app.services.campaign, args.form, year)
        if filled is None:
            print(f"error: no form {args.form} in force in {year}")
            return 1
        await audit(conn, now, AuditAction.STAT_FORM_MADE, actor=None, channel="cli", subject=f"{args.form}/{year}")
    folder = args.out or app.services.files.root / "exports"
    if folder.suffix:
        folder = folder.parent
    try:
        path = filled.write(folder)
    except OSError as exc:
        print(f"error: could not write the file: {exc}")
        return 1
    info = filled.form.form
    print(f"{info.code} {info.title}, {year} ({info.circular})")
    print(path)
    return 0
