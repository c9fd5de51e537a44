"""Webhook mode: a real HTTP server on loopback that refuses every request without the secret."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
import pytest

from bot.app import build_app
from bot.channels.telegram.config import TelegramConfigError
from bot.channels.telegram.runner import start_telegram, stop_telegram
from bot.clock import FixedClock
from bot.storage.inbox import InboxRepo
from tests.support.config import make_settings
from tests.support.net import free_port, wait_for
from tests.support.telegram_fake import TOKEN, FakeTelegram, Updates
from tests.support.telegram_webhook import HEADER, SECRET, webhook_settings


async def test_the_webhook_checks_the_secret_on_every_request(tmp_path: Path, clock: FixedClock) -> None:
    port = free_port()
    settings = webhook_settings(tmp_path, port)
    app = await build_app(settings, clock)
    fake = FakeTelegram()
    application = await start_telegram(app, fake)
    try:
        (set_webhook,) = fake.of("setWebhook")
        assert set_webhook.params["url"] == "https://bot.example.org/telegram/hook"
        assert set_webhook.params["secret_token"] == SECRET
        assert set_webhook.params["allowed_updates"] == ["message", "callback_query"]
        assert "telegram" in app.senders

        url = f"http://127.0.0.1:{port}/telegram/hook"
        person = Updates(user_id=8080)
        async with httpx.AsyncClient() as client:
            missing = await client.post(url, json=person.text("/start"))
            wrong = await client.post(url, json=person.text("/start"), headers={HEADER: SECRET + "x"})
            assert (missing.status_code, wrong.status_code) == (403, 403)
            await asyncio.sleep(0.2)
            assert fake.sent(8080) == []  # nothing reached the bot

            right = await client.post(url, json=person.text("/start"), headers={HEADER: SECRET})
            assert right.status_code == 200
            await wait_for(lambda: fake.sent(8080))
            assert "Xin chào Lan!" in fake.texts(8080)[0]

            # The next request without the secret is refused too: it is checked every time, not once.
            again = await client.post(url, json=person.text("/decu"))
            assert again.status_code == 403
            await asyncio.sleep(0.2)
            assert len(fake.sent(8080)) == 1
    finally:
        await stop_telegram(app, application)
        await app.close()
    assert "telegram" not in app.senders


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"telegram_webhook_url": "https://bot.example.org/hook"}, "TELEGRAM_WEBHOOK_SECRET is empty"),
        ({"telegram_webhook_url": "https://bot.example.org/hook", "telegram_webhook_secret": "   "}, "is empty"),
        (
            {"telegram_webhook_url": "https://bot.example.org/hook", "telegram_webhook_secret": "có dấu"},
            "letters, digits",
        ),
        ({"telegram_webhook_url": "http://bot.example.org/hook", "telegram_webhook_secret": SECRET}, "https://"),
        ({"telegram_bot_token": "  "}, "TELEGRAM_BOT_TOKEN is not set"),
    ],
)
async def test_a_webhook_anyone_could_post_to_does_not_start(
    tmp_path: Path, clock: FixedClock, overrides: dict[str, str], message: str
) -> None:
    settings = make_settings(tmp_path, **{"telegram_bot_token": TOKEN, **overrides})
    app = await build_app(settings, clock)
    fake = FakeTelegram()
    try:
        with pytest.raises(TelegramConfigError, match=message):
            await start_telegram(app, fake)
    finally:
        await app.close()
    assert fake.calls == []  # refused before a single request


async def test_the_webhook_keeps_an_update_before_answering_and_refuses_what_is_not_one(
    tmp_path: Path, clock: FixedClock
) -> None:
    port = free_port()
    settings = webhook_settings(tmp_path, port)
    app = await build_app(settings, clock)
    fake = FakeTelegram()
    running = await start_telegram(app, fake)
    url = f"http://127.0.0.1:{port}/telegram/hook"
    person = Updates(user_id=8181)
    try:
        async with httpx.AsyncClient() as client:
            # The secret is checked before the body is read: a wrong one is refused whatever follows.
            huge = b"x" * (2 * 1024 * 1024)
            refused = await client.post(url, content=huge, headers={HEADER: "wrong"})
            assert refused.status_code == 403
            too_big = await client.post(url, content=huge, headers={HEADER: SECRET})
            assert too_big.status_code == 413
            garbage = await client.post(url, content=b"{not json", headers={HEADER: SECRET})
            assert garbage.status_code == 400
            no_id = await client.post(url, json={"message": {"text": "hi"}}, headers={HEADER: SECRET})
            assert no_id.status_code == 400

            update = person.text("/start")
            answer = await client.post(url, json=update, headers={HEADER: SECRET})
            assert answer.status_code == 200
            # Answered 200 only once the update is in the inbox.
            async with app.db.reading() as conn:
                kept = await InboxRepo(conn).find("telegram", str(update["update_id"]))
            assert kept is not None and kept.person == "8181"
            await running.inbox.join()
            again = await client.post(url, json=update, headers={HEADER: SECRET})
            assert again.status_code == 200
            await running.inbox.join()
    finally:
        await stop_telegram(app, running)
        await app.close()
    assert len(fake.sent(8181)) == 1 and "Xin chào Lan!" in fake.texts(8181)[0]
