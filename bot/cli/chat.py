from __future__ import annotations

import argparse
from typing import Any

from bot.app import App
from bot.channels.console import ConsoleMailbox, run_console
from bot.cli.base import add_command


async def chat(app: App, args: argparse.Namespace) -> int:
    # What the running bot sent this person on its own is shown from their mailbox.
    mailbox = ConsoleMailbox(app.db, app.services.clock)
    await run_console(app.engine, args.user, args.name, mailbox=mailbox)
    return 0


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "chat",
        chat,
        help="chat with the bot in this terminal (reads lines from standard input, so it can be scripted)",
        description="Chat with the bot in the terminal, on the same database as the running bot. Choices "
        "are numbered: answer with the number or the text. '/file PATH' sends a file. Ends at end of input. "
        "What the running bot (`run`) sends this user on its own is shown when the chat opens and as it comes.",
    )
    parser.add_argument("--user", default="1001", help="who you are (any id; two ids are two people)")
    parser.add_argument("--name", default=None, help="your display name")
