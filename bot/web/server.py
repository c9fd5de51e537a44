"""uvicorn serving the desk inside the bot's own event loop, beside the messengers and the workers."""

from __future__ import annotations

import asyncio
import logging

import uvicorn

from bot.app import App
from bot.errors import StartupError
from bot.web.app import build_web

log = logging.getLogger(__name__)


async def web_server(app: App) -> uvicorn.Server:
    """The server as the settings configure it (not yet serving)."""
    settings = app.settings
    config = uvicorn.Config(
        build_web(app),
        host=settings.web_host,
        port=settings.web_port,
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        server_header=False,
        lifespan="off",
    )
    return uvicorn.Server(config)


async def serve_web(app: App, server: uvicorn.Server | None = None) -> None:
    """Serve until cancelled."""
    settings = app.settings
    server = server or await web_server(app)
    log.info("desk at %s (listening on %s:%s)", settings.web_url, settings.web_host, settings.web_port)
    try:
        # Not Server.serve(): that takes over SIGINT and SIGTERM, which belong to the whole bot.
        await server._serve()
    except SystemExit as exc:
        # uvicorn exits the process when it cannot bind; here that is a configuration error to report.
        raise StartupError(f"the desk cannot listen on {settings.web_host}:{settings.web_port}") from exc
    except asyncio.CancelledError:
        server.should_exit = True
        await server.shutdown()
        raise
