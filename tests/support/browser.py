"""Debian's Chromium driven by Playwright, against the desk served by uvicorn on a loopback port.

No browser is downloaded: the tests use /usr/bin/chromium (`apt-get install chromium`) and are skipped,
with one line saying so, where it is missing (and fail under CI=true, which installs it)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.web.server import serve_web, web_server

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("DESK_SCREENSHOTS", Path(__file__).resolve().parents[2] / "test-screenshots"))
SKIP_REASON = "Chromium not found: apt-get install chromium (or set CHROMIUM=/path) to run the browser tests"


def need_chromium() -> None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        # CI installs Chromium: there a missing browser is a broken set-up, not a reason to test less.
        if os.environ.get("CI") == "true":
            pytest.fail(SKIP_REASON)
        pytest.skip(SKIP_REASON)
    pytest.importorskip("playwright.async_api", reason="pip install playwright to run the browser tests")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@asynccontextmanager
async def served(app: App) -> AsyncIterator[str]:
    """The desk on the port the app's settings name, served in this event loop; its base address."""
    server = await web_server(app)
    task = asyncio.create_task(serve_web(app, server))
    try:
        for _ in range(500):
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        if task.done():
            task.result()
        assert server.started, "the desk did not start"
        yield app.settings.web_url
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


@asynccontextmanager
async def chromium(width: int = 1280, height: int = 900) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            context = await browser.new_context(viewport={"width": width, "height": height}, locale="vi-VN")
            yield await context.new_page()
        finally:
            await browser.close()


async def keep_screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path
