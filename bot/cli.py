"""`python -m bot`: the command line."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from bot.app import App, build_app, configure_logging
from bot.campaign_loader import CampaignConfigError
from bot.settings import Settings

DESCRIPTION = """\
thidua-bot: nominations of good people and good deeds, unit reports and reminders for the
patriotic emulation movement, on Telegram, Zalo or in the terminal.

Settings come from the environment and from .env (see .env.example)."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "run",
        help="run the bot on every messenger with a token set; with none, open the terminal chat",
        description="Run the bot. With TELEGRAM_BOT_TOKEN set it serves Telegram (long polling, or a "
        "webhook when TELEGRAM_WEBHOOK_URL is set). With no token it opens the terminal chat.",
    )
    chat = commands.add_parser(
        "chat",
        help="chat with the bot in this terminal (reads lines from standard input, so it can be scripted)",
        description="Chat with the bot in the terminal, on the same database as the running bot. Choices "
        "are numbered: answer with the number or the text. '/file PATH' sends a file. Ends at end of input.",
    )
    chat.add_argument("--user", default="1001", help="who you are (any id; two ids are two people)")
    chat.add_argument("--name", default=None, help="your display name")
    commands.add_parser("check-config", help="validate the campaign file and exit")
    return parser


async def _with_app(settings: Settings, body: str, args: argparse.Namespace) -> int:
    app = await build_app(settings)
    try:
        return await _dispatch(app, body, args)
    finally:
        await app.close()


async def _dispatch(app: App, command: str, args: argparse.Namespace) -> int:
    if command == "chat":
        from bot.channels.console import run_console

        await run_console(app.engine, args.user, args.name)
        return 0
    if command == "run":
        if app.settings.telegram_bot_token is None:
            from bot.channels.console import run_console

            print("No TELEGRAM_BOT_TOKEN set: opening the terminal chat.", file=sys.stderr)
            await run_console(app.engine, "1001")
            return 0
        from bot.channels.telegram.runner import run_telegram

        await run_telegram(app)
        return 0
    raise AssertionError(command)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    settings = Settings()
    configure_logging(settings.log_level)
    try:
        if args.command == "check-config":
            from bot.campaign_loader import load_campaign

            campaign = load_campaign(settings.campaign_file)
            print(
                f"{settings.campaign_file}: OK — {len(campaign.units)} units, "
                f"{len(campaign.movements)} movements, {len(campaign.content_areas)} content areas"
            )
            return 0
        return asyncio.run(_with_app(settings, args.command, args))
    except CampaignConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
