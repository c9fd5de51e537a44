"""The desk served by the bot itself: uvicorn in the bot's event loop, beside the other parts of `run`."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from bot.app import build_app
from bot.cli.run import background_runners
from bot.clock import FixedClock
from bot.errors import StartupError
from bot.web.server import serve_web
from tests.support.browser import free_port, served
from tests.support.config import make_settings


async def test_run_serves_the_desk_unless_turned_off(tmp_path: Path, clock: FixedClock) -> None:
    app = await build_app(make_settings(tmp_path), clock)
    try:
        assert [name for name, _ in background_runners(app)] == ["outbox", "reminders", "web"]
    finally:
        await app.close()
    app = await build_app(make_settings(tmp_path, web_enabled=False), clock)
    try:
        assert [name for name, _ in background_runners(app)] == ["outbox", "reminders"]
    finally:
        await app.close()


async def test_the_desk_answers_on_its_port_in_this_event_loop(tmp_path: Path, clock: FixedClock) -> None:
    app = await build_app(make_settings(tmp_path, web_port=free_port()), clock)
    try:
        async with served(app) as url, httpx.AsyncClient() as client:
            page = await client.get(f"{url}/signin")
            assert page.status_code == 200 and "/web" in page.text
            assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
            assert "server" not in page.headers
            script = await client.get(f"{url}/static/htmx.min.js")
            assert script.status_code == 200 and "htmx" in script.text[:200]
    finally:
        await app.close()


async def test_a_port_already_taken_stops_start_up_with_a_message(tmp_path: Path, clock: FixedClock) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        app = await build_app(make_settings(tmp_path, web_port=taken.getsockname()[1]), clock)
        try:
            with pytest.raises(StartupError, match="cannot listen"):
                await serve_web(app)
        finally:
            await app.close()
