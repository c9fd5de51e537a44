"""`web`: the desk alone, without the messengers (they may run in another process on the same database)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from bot.cli.base import add_command

if TYPE_CHECKING:
    from bot.app import App


async def web(app: App, args: argparse.Namespace) -> int:
    # The desk's libraries (Starlette, Jinja, uvicorn) load with the desk only: the other commands never use them.
    from bot.web.server import serve_web

    print(f"The desk: {app.settings.web_url} (send /web in the chat for a sign-in link)")
    await serve_web(app)
    return 0


def register(subparsers: Any) -> None:
    add_command(
        subparsers,
        "web",
        web,
        help="serve the secretariat's desk in a browser alone (run serves it beside the messengers)",
        description="Serve the desk on WEB_HOST:WEB_PORT (127.0.0.1:8080 by default). People sign in with a "
        "one-time link that /web sends them in the chat; WEB_BASE_URL is the address those links use.",
    )
