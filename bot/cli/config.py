from __future__ import annotations

import argparse
from typing import Any

from bot.app import App
from bot.cli.base import add_command


async def check_config(app: App, args: argparse.Namespace) -> int:
    campaign = app.services.campaign
    print(
        f"{app.settings.campaign_file}: OK — {len(campaign.units)} units, "
        f"{len(campaign.movements)} movements, {len(campaign.content_areas)} content areas, "
        f"{len(campaign.reporting_periods)} reporting periods"
    )
    return 0


def register(subparsers: Any) -> None:
    add_command(subparsers, "check-config", check_config, help="validate the campaign file and exit")
