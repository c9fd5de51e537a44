from __future__ import annotations

import argparse
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.app import App

# Written as text: bot.app (the whole bot) is loaded only by a command that runs, not to list the commands.
Command = Callable[["App", argparse.Namespace], Awaitable[int]]


def add_command(
    subparsers: Any, name: str, handler: Command, help: str, description: str | None = None
) -> argparse.ArgumentParser:
    """Add a subcommand whose handler gets the wired App and the parsed arguments."""
    parser: argparse.ArgumentParser = subparsers.add_parser(name, help=help, description=description or help)
    parser.set_defaults(handler=handler)
    return parser
