"""`python -m bot`: the command line. Each feature adds its subcommands in a module of this package."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from bot.app import build_app, configure_logging
from bot.channels.registry import CHANNELS
from bot.cli import (
    admins,
    announce,
    chat,
    commendations,
    config,
    db,
    export,
    invites,
    outbox,
    reminders,
    reports,
    run,
    units,
    web,
)
from bot.cli.base import Command
from bot.errors import StartupError
from bot.settings import Settings, load_settings

DESCRIPTION = """\
thidua-bot: nominations of good people and good deeds, unit reports and reminders for the
patriotic emulation movement, on Telegram, Zalo or in the terminal.

Settings come from the environment and from .env (see .env.example)."""

# Each module registers its subcommands; keep them in the order --help should list them.
MODULES = (
    run,
    web,
    chat,
    units,
    invites,
    admins,
    reports,
    reminders,
    outbox,
    announce,
    export,
    commendations,
    config,
    db,
)


class _WholeOptions(argparse.ArgumentParser):
    """Options only by their whole name: `export --fo` could mean --force or --form, and guessing one of
    them overwrites a file or makes another one. Subcommands' parsers are of this class too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = _WholeOptions(
        prog="python -m bot", description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in MODULES:
        module.register(commands)
    return parser


async def _run(settings: Settings, command: Command, args: argparse.Namespace) -> int:
    app = await build_app(settings, channels=CHANNELS)
    try:
        return await command(app, args)
    finally:
        await app.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    standalone: Callable[[argparse.Namespace], Coroutine[Any, Any, int]] | None = getattr(args, "standalone", None)
    if standalone is not None:
        # A command that opens its own databases (db copy) and needs no campaign.
        return asyncio.run(standalone(args))
    handler: Command | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        settings = load_settings()
        configure_logging(settings)
        return asyncio.run(_run(settings, handler, args))
    except StartupError as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`... | head`): nothing more is wanted. Python's own last flush of stdout
        # would fail too, so stdout goes nowhere from here (the way Python's documentation shows).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
