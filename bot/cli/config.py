"""`check-config`: the settings and the campaign file, checked as `run` would use them, without starting."""

from __future__ import annotations

import argparse
from typing import Any

from bot.app import App
from bot.channels.registry import CHANNELS
from bot.cli.base import add_command


def check_channels(app: App) -> None:
    """What each configured messenger checks when it starts (a webhook needs its secret, say), asked before
    anything starts. Raises a StartupError naming the setting."""
    for messenger in CHANNELS.configured(app.settings):
        messenger.check(app)


async def check_config(app: App, args: argparse.Namespace) -> int:
    # The settings and the campaign file were read to build the app: a bad one never gets here (main names
    # it in one line per problem and exits 1). What is left is what a channel checks when it starts.
    check_channels(app)
    campaign = app.services.campaign
    print(
        f"{app.settings.campaign_file}: OK — {len(campaign.units)} units, "
        f"{len(campaign.movements)} movements, {len(campaign.content_areas)} content areas, "
        f"{len(campaign.reporting_periods)} reporting periods"
    )
    return 0


def register(subparsers: Any) -> None:
    add_command(subparsers, "check-config", check_config, help="validate the settings and the campaign file, and exit")
