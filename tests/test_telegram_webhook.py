"""Webhook mode: a real HTTP server on loopback that refuses requests without the secret."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from bot.app import build_app
from bot.channels.telegram.runner import WebhookConfigError, start_telegram, stop_telegram
from bot.clock import FixedClock
from tests.conftest import make_settings
from tests.telegram_fake import TOKEN, FakeTelegram, Updates

SECRET = "s3cret-Token_value"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_for(condition: Callable[[], object]) -> None:
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 - the fake records calls; there is no event to wait on
            await asyncio.sleep(0.02)


async def test_webhook_checks_the_secret_on_every_request(tmp_path: Path, clock: FixedClock) -> None:
    port = free_port()
    settings = make_settings(
        tmp_path,
        telegram_bot_token=TOKEN,
        telegram_webhook_url=f"https://bot.example.org/tg/{port}",
        telegram_webhook_secret=SECRET,
        telegram_webhook_listen="127.0.0.1",
        telegram_webhook_port=port,
    )
    app = await build_app(settings, clock)
    fake = FakeTelegram()
    application = await start_telegram(app, fake)
    try:
        set_webhook = next(c for c in fake.calls if c.method == "setWebhook")
        assert set_webhook.params["secret_token"] == SECRET
        assert set_webhook.params["url"] == f"https://bot.example.org/tg/{port}"
        assert "telegram" in app.senders

        url = f"http://127.0.0.1:{port}/tg/{port}"
        update = Updates(user_id=8080).text("/start")
        async with httpx.AsyncClient() as client:
            missing = await client.post(url, json=update)
            wrong = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "nope"})
            assert missing.status_code == 403 and wrong.status_code == 403
            await asyncio.sleep(0.2)
            assert fake.sent(8080) == []  # nothing was handled

            right = await client.post(url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert right.status_code == 200
        await wait_for(lambda: fake.sent(8080))
        assert "Xin chào Lan!" in fake.texts(8080)[0]
    finally:
        await stop_telegram(app, application)
        await app.close()


async def test_webhook_without_a_secret_refuses_to_start(tmp_path: Path, clock: FixedClock) -> None:
    settings = make_settings(tmp_path, telegram_bot_token=TOKEN, telegram_webhook_url="https://bot.example.org/tg")
    app = await build_app(settings, clock)
    try:
        with pytest.raises(WebhookConfigError, match="TELEGRAM_WEBHOOK_SECRET"):
            await start_telegram(app, FakeTelegram())
    finally:
        await app.close()


async def test_long_polling_hands_updates_to_the_engine(tmp_path: Path, clock: FixedClock) -> None:
    settings = make_settings(tmp_path, telegram_bot_token=TOKEN)
    app = await build_app(settings, clock)
    fake = FakeTelegram()
    application = await start_telegram(app, fake)
    try:
        updates = Updates(user_id=9090)
        await fake.updates.put(updates.text("/decu"))
        await wait_for(lambda: fake.sent(9090))
        assert "Bước 1/9" in fake.texts(9090)[-1]
    finally:
        await stop_telegram(app, application)
        await app.close()
