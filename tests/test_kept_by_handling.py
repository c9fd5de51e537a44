"""A webhook's update handled in the transaction that keeps it: one commit instead of two, and the messenger is
answered only once the update is handled and its replies kept. What this must not lose: an update that fails
is still kept (and not tried again), a person's updates stay in the order they came, and one delivered again
is not handled twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx

from bot.app import App, build_app
from bot.channels.telegram.runner import TelegramRunning, start_telegram, stop_telegram
from bot.clock import FixedClock
from bot.conversation.messages import Incoming
from bot.engine.engine import FileFetcher
from bot.engine.outcome import Outcome
from tests.support.db import rows
from tests.support.net import free_port, wait_for
from tests.support.telegram_fake import FakeTelegram, Updates
from tests.support.telegram_webhook import HEADER, SECRET, webhook_settings


@asynccontextmanager
async def webhook_bot(
    tmp_path: Path, clock: FixedClock
) -> AsyncIterator[tuple[App, FakeTelegram, TelegramRunning, str]]:
    port = free_port()
    settings = webhook_settings(tmp_path, port)
    app = await build_app(settings, clock)
    fake = FakeTelegram()
    running = await start_telegram(app, fake)
    # Once what an earlier process left is taken up: until then an update is kept first, to come after it.
    await running.inbox.join()
    try:
        yield app, fake, running, f"http://127.0.0.1:{port}/telegram/hook"
    finally:
        await stop_telegram(app, running)
        await app.close()


async def post(client: httpx.AsyncClient, url: str, update: dict[str, Any]) -> int:
    return (await client.post(url, json=update, headers={HEADER: SECRET})).status_code


async def test_the_webhook_answers_once_the_update_is_handled_and_its_replies_kept(
    tmp_path: Path, clock: FixedClock
) -> None:
    async with webhook_bot(tmp_path, clock) as (app, fake, running, url):
        person = Updates(user_id=8282)
        update = person.text("/start")
        async with httpx.AsyncClient() as client:
            assert await post(client, url, update) == 200
            # Nothing waited for: by the answer, the update is handled and what it says is kept.
            (kept,) = rows(app, "SELECT id, handled_at FROM inbox")
            assert kept[1] is not None
            (reply,) = rows(app, "SELECT inbox_id, payload FROM replies")
            assert reply[0] == kept[0] and "Xin chào" in reply[1]
            await wait_for(lambda: fake.sent(8282))
            await running.inbox.join()
            # Delivered again (Telegram did not hear the 200): kept once, answered once.
            assert await post(client, url, update) == 200
            await running.inbox.join()
        assert rows(app, "SELECT COUNT(*) FROM inbox") == [(1,)]
        assert rows(app, "SELECT COUNT(*) FROM replies WHERE sent_at IS NULL") == [(0,)]
        assert len(fake.sent(8282)) == 1 and "Xin chào Lan!" in fake.texts(8282)[0]


async def test_an_update_whose_handling_fails_is_still_kept_and_not_tried_again(
    tmp_path: Path, clock: FixedClock
) -> None:
    async with webhook_bot(tmp_path, clock) as (app, fake, running, url):
        route = app.engine.router.route

        async def broken(ctx: Any) -> None:
            if ctx.incoming.text == "/trogiup":
                raise RuntimeError("a bug in a handler")
            await route(ctx)

        app.engine.router.route = broken  # type: ignore[method-assign]
        person = Updates(user_id=8383)
        failing = person.text("/trogiup")
        async with httpx.AsyncClient() as client:
            assert await post(client, url, failing) == 200
            await wait_for(lambda: fake.sent(8383))
            await running.inbox.join()
            assert await post(client, url, failing) == 200  # delivered again
            assert await post(client, url, person.text("/start")) == 200
            await wait_for(lambda: len(fake.sent(8383)) >= 2)
            await running.inbox.join()
        texts = fake.texts(8383)
        assert len(texts) == 2 and "Xin chào Lan!" in texts[1]
        assert "hệ thống vừa gặp trục trặc" in texts[0]
        assert rows(app, "SELECT update_key, handled_at IS NOT NULL FROM inbox ORDER BY id") == [
            (str(failing["update_id"]), 1),
            (str(failing["update_id"] + 1), 1),
        ]


async def test_a_persons_next_update_waits_for_the_one_being_kept_by_its_handling(
    tmp_path: Path, clock: FixedClock
) -> None:
    async with webhook_bot(tmp_path, clock) as (app, fake, running, url):
        answer = app.engine.answer
        inside = asyncio.Event()
        gate = asyncio.Event()

        async def held(incoming: Incoming, fetcher: FileFetcher | None = None, **claimed: Any) -> Outcome:
            if incoming.text == "/start":
                inside.set()
                await gate.wait()
            return await answer(incoming, fetcher, **claimed)

        app.engine.answer = held  # type: ignore[method-assign]
        person = Updates(user_id=8484)
        first, second = person.text("/start"), person.text("/trogiup")
        async with httpx.AsyncClient() as client:
            posting_first = asyncio.create_task(post(client, url, first))
            await inside.wait()
            posting_second = asyncio.create_task(post(client, url, second))
            await asyncio.sleep(0.2)
            # The first is not kept until its handling commits, and the second is not kept before it.
            assert rows(app, "SELECT COUNT(*) FROM inbox") == [(0,)]
            assert not posting_first.done() and not posting_second.done()
            gate.set()
            assert await posting_first == 200 and await posting_second == 200
            await wait_for(lambda: len(fake.sent(8484)) >= 2)
            await running.inbox.join()
        assert [key for (key,) in rows(app, "SELECT update_key FROM inbox ORDER BY id")] == [
            str(first["update_id"]),
            str(second["update_id"]),
        ]
        texts = fake.texts(8484)
        assert "Xin chào Lan!" in texts[0] and "/decu" in texts[1]
