"""`reports list|show`: every version of every progress report stays readable."""

from __future__ import annotations

import argparse
from typing import Any

from bot.app import App
from bot.cli.base import add_command
from bot.domain.reports import format_number
from bot.storage.reports import ReportRepo


async def list_reports(app: App, args: argparse.Namespace) -> int:
    campaign = app.services.campaign
    if campaign.period(args.period) is None:
        known = ", ".join(p.code for p in campaign.reporting_periods)
        print(f"error: no reporting period {args.period} (the campaign has: {known})")
        return 2
    async with app.db.reading() as conn:
        repo = ReportRepo(conn)
        units = [args.unit.upper()] if args.unit else sorted((await repo.reported([args.period]))[args.period])
        sent = await repo.submissions([args.period], units)
    tz = campaign.campaign.tz
    for item in sent:
        when = item.submitted_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
        print(f"{item.reference:<36} v{item.version:<3} {when}{'  late' if item.late else ''}")
    if not sent:
        print("no reports")
    return 0


async def show_report(app: App, args: argparse.Namespace) -> int:
    async with app.db.reading() as conn:
        report = await ReportRepo(conn).by_reference(args.reference.strip())
    if report is None:
        print(f"error: no report {args.reference}")
        return 1
    campaign = app.services.campaign
    period = campaign.period(report.period_code)
    when = report.submitted_at.astimezone(campaign.campaign.tz).strftime("%Y-%m-%d %H:%M")
    print(report.reference)
    print(f"unit: {report.unit_name} ({report.unit_code}), as named when it was sent")
    print(f"period: {period.name.vi if period else report.period_code}")
    print(f"version {report.version}, sent {when} ({campaign.campaign.timezone}){', late' if report.late else ''}")
    for area in report.areas:
        category = campaign.area(area.area_code)
        print(f"\n[{area.area_code}] {category.name.vi if category else ''}")
        print(area.narrative)
        indicators = {i.code: i for i in category.indicators} if category else {}
        for code, value in area.values.items():
            indicator = indicators.get(code)
            label = f"{indicator.name.vi} ({indicator.unit.vi})" if indicator else code
            print(f"  {label}: {format_number(value)}")
    for file in report.files:
        print(f"file: {file.original_name or '-'} {file.mime} {file.size} bytes sha256:{file.sha256}")
    return 0


def register(subparsers: Any) -> None:
    reports = subparsers.add_parser("reports", help="list and read the units' progress reports, every version")
    commands = reports.add_subparsers(dest="reports_command", metavar="ACTION", required=True)
    parser = add_command(commands, "list", list_reports, help="every version sent for a period")
    parser.add_argument("--period", required=True, help="the reporting period's code, e.g. 6T")
    parser.add_argument("--unit", help="only this unit's versions")
    parser = add_command(commands, "show", show_report, help="one version in full, by its reference")
    parser.add_argument("reference", help="e.g. BC-2026-6T-H-THAPMUOI-v2")
