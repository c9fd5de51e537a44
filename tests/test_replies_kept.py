"""Replies are data: kept with the update that produced them, sent again after a stop or when the messenger
delivers the update again, once at most, and dropped with a log line when too old to matter."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import FixedClock
from bot.conversation.messages import Incoming, Kind, Reply
from bot.inbox.worker import InboxWorker, confirm_sent
from bot.storage.inbox import Arrival, InboxRow
from bot.storage.replies import RepliesRepo
from tests.support.db import rows
from tests.support.zalo_fake import WEBHOOK, FakeZalo, Trouble, ZaloChat, api_error, running_zalo

# Each database test runs on SQLite and on PostgreSQL.
BOTH_ENGINES = True


async def test_an_update_delivered_again_brings_its_unsent_answer_once(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    async with running_zalo(tmp_path, clock, fake_zalo, **WEBHOOK) as (_, channel):
        chat = ZaloChat(fake_zalo, channel)
        update = chat.person.text("/start")
        # Zalo is down for every try of the answer: the step is done, the answer is not on the screen.
        fake_zalo.fail("sendMessage", *[Trouble(status=500, body=api_error(500, "Internal error"))] * 4)
        assert await chat.send(update) == []
        # Zalo delivers the update again: instead of silence, the answer that never arrived.
        again = await chat.send(update)
        assert len(again) == 1 and "Xin chào Lan!" in again[0]
        assert await chat.send(update) == []  # confirmed now: nothing more


class Recorder:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    async def __call__(self, chat_id: str, replies: list[Reply]) -> int:
        self.sent.extend((chat_id, reply.text) for reply in replies)
        return len(replies)


async def keep_and_handle(app: App, user_id: str, key: str) -> None:
    """An update kept and handled by a process that stopped before sending the answer."""

    async def handle(row: InboxRow) -> bool:
        incoming = Incoming(channel="zalo", user_id=user_id, chat_id=user_id, kind=Kind.COMMAND, command="start")
        await app.engine.handle(incoming, inbox_id=row.id)
        return True

    worker = InboxWorker(app.db, "zalo", app.services.clock, handle)
    await worker.keep(Arrival(update_key=key, person=user_id, payload="{}"))
    await worker.join()


async def test_after_a_stop_recent_answers_go_once_and_old_ones_are_dropped(
    app: App, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    await keep_and_handle(app, "old-1", "m:1")
    clock.advance(dt.timedelta(minutes=9))
    await keep_and_handle(app, "new-2", "m:2")
    clock.advance(dt.timedelta(minutes=2))

    async def nothing(row: InboxRow) -> bool:
        return False

    send = Recorder()
    with caplog.at_level(logging.WARNING):
        restarted = InboxWorker(app.db, "zalo", clock, nothing, send)
        await restarted.recover()
        await restarted.join()
    assert [chat for chat, _ in send.sent] == ["new-2"] and "Xin chào" in send.sent[0][1]
    assert "1 zalo replies older than 0:10:00 were never sent; dropped" in caplog.text

    # Sent again once at most: were this one lost too, a third process does not send it a third time.
    async with app.db.transaction() as conn:
        await conn.execute("UPDATE replies SET sent_at = NULL")
    again = Recorder()
    third = InboxWorker(app.db, "zalo", clock, nothing, again)
    await third.recover()
    await third.join()
    assert again.sent == []


async def test_an_updates_answers_are_confirmed_sent_the_first_few_or_all(app: App, clock: FixedClock) -> None:
    await keep_and_handle(app, "7001", "m:1")
    ((inbox_id,),) = rows(app, "SELECT id FROM inbox WHERE update_key = 'm:1'")
    async with app.db.transaction() as conn:
        await RepliesRepo(conn).add(inbox_id, "7001", [Reply(text="Hai"), Reply(text="Ba")], clock.now())

    def unsent() -> list[str]:
        found = rows(app, "SELECT payload FROM replies WHERE inbox_id = ? AND sent_at IS NULL ORDER BY id", (inbox_id,))
        return [Reply.model_validate_json(payload).text for (payload,) in found]

    assert len(unsent()) == 3
    await confirm_sent(app.db, clock, inbox_id, 1)  # Zalo's way: one message reached it, the rest did not
    assert unsent() == ["Hai", "Ba"]
    await confirm_sent(app.db, clock, inbox_id)  # Telegram's way: every message of the answer went
    assert unsent() == []
