"""`run` keeps each part going on its own: a crash restarts that part only; a configuration error stops all."""

from __future__ import annotations

import asyncio

import pytest

from bot.app import App
from bot.cli.run import supervised
from bot.errors import StartupError


async def test_a_crashing_part_is_started_again_while_another_keeps_running(app: App) -> None:
    starts: list[str] = []
    steady_ticks = 0

    async def flaky(app: App) -> None:
        starts.append("flaky")
        if len(starts) < 3:
            raise ConnectionError("API down")
        await asyncio.Event().wait()

    async def steady(app: App) -> None:
        nonlocal steady_ticks
        while True:
            steady_ticks += 1
            await asyncio.sleep(0.001)

    tasks = [
        asyncio.create_task(supervised("flaky", flaky, app, first=0.01)),
        asyncio.create_task(supervised("steady", steady, app, first=0.01)),
    ]
    for _ in range(500):
        if len(starts) >= 3:
            break
        await asyncio.sleep(0.01)
    assert starts == ["flaky", "flaky", "flaky"]
    assert not any(task.done() for task in tasks) and steady_ticks > 0
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


async def test_a_configuration_error_is_not_retried(app: App) -> None:
    calls = 0

    async def misconfigured(app: App) -> None:
        nonlocal calls
        calls += 1
        raise StartupError("TELEGRAM_BOT_TOKEN was refused by Telegram")

    with pytest.raises(StartupError):
        await supervised("telegram", misconfigured, app, first=0.01)
    assert calls == 1
