"""The Zalo channel by long polling, against the fake Bot API on loopback and a real SQLite file."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.conversation import delivery
from bot.conversation.messages import Incoming, Reply
from bot.engine.engine import FileFetcher
from bot.engine.outcome import Outcome
from tests.support.db import rows
from tests.support.zalo_fake import (
    TOKEN,
    FakeZalo,
    Trouble,
    ZaloChat,
    ZaloPerson,
    api_error,
    running_zalo,
    wait_for,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
DEED = "Ông đã vận động bà con góp tiền làm lại cây cầu khỉ cho học sinh đi học an toàn."


async def test_idle_polls_and_failed_polls_never_stop_the_poller(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    fake_zalo.hold = 0.05  # idle answers without waiting out the poller's timeout
    async with running_zalo(tmp_path, clock, fake_zalo) as (_, channel):
        await wait_for(lambda: fake_zalo.idle_answers >= 4)  # 408s, as an error_code and as an HTTP status
        fake_zalo.fail(
            "getUpdates",
            Trouble(503, "<html>Service Unavailable</html>"),
            Trouble(200, api_error(500, "Internal server error")),
            Trouble(200, "not json at all"),
        )
        await wait_for(lambda: not fake_zalo.troubles["getUpdates"])
        chat = ZaloChat(fake_zalo, channel)
        await chat.say("/start")
        assert "Xin chào" in chat.text
        assert channel.poller_task is not None and not channel.poller_task.done()


async def test_replies_are_retried_after_error_answers_and_timeouts(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running_zalo(tmp_path, clock, fake_zalo, request_timeout=0.3) as (_, channel):
        chat = ZaloChat(fake_zalo, channel)
        fake_zalo.fail(
            "sendMessage",
            Trouble(502, "<html>Bad Gateway</html>"),
            Trouble(200, api_error(500, "Internal server error")),
            Trouble(delay=0.6),  # longer than the client waits
        )
        await chat.say("/start")
        assert len(chat.last) == 1 and "Xin chào" in chat.text
        assert [c.ok for c in fake_zalo.attempts("sendMessage")] == [False, False, False, True]

        # A refusal is not retried, and a reply that never gets through does not stop the next one.
        fake_zalo.fail("sendMessage", Trouble(200, api_error(400, "Bad request")))
        await chat.say("/trogiup")
        assert chat.last == []
        fake_zalo.fail("sendMessage", *[Trouble(500, api_error(500, "Internal server error"))] * 4)
        await chat.say("/trogiup")
        assert chat.last == []
        await chat.say("/decu")
        assert "Bước 1/9" in chat.text
    assert "could not answer user" in caplog.text
    assert TOKEN not in caplog.text


async def test_the_same_update_twice_is_answered_once(tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo) -> None:
    async with running_zalo(tmp_path, clock, fake_zalo) as (_, channel):
        chat = ZaloChat(fake_zalo, channel)
        update = chat.person.text("/decu")
        await chat.send(update)
        assert "Bước 1/9" in chat.text
        await chat.send(update)
        assert chat.last == []
        await chat.say("2")
        assert "Bước 2/9" in chat.text and "tập thể" in chat.text


async def test_a_sticker_is_answered_kindly_and_the_question_asked_again(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    async with running_zalo(tmp_path, clock, fake_zalo) as (_, channel):
        chat = ZaloChat(fake_zalo, channel)
        await chat.say("/decu")
        await chat.send(chat.person.sticker())
        assert len(chat.last) == 1
        assert "Cảm ơn bạn! Nhưng mình chưa đọc được nhãn dán" in chat.text and "Bước 1/9" in chat.text
        await chat.send(chat.person.unsupported())
        assert "chưa đọc được loại tin nhắn này" in chat.text and "Bước 1/9" in chat.text


async def test_a_photo_larger_than_allowed_is_refused_whether_or_not_its_size_is_declared(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    big = PNG * 400  # about 800 kB, over the 0.5 MB allowed below
    fake_zalo.files["big.png"] = big
    fake_zalo.files["chunked-big.png"] = big
    async with running_zalo(tmp_path, clock, fake_zalo, max_file_mb=0.5) as (app, channel):
        chat = ZaloChat(fake_zalo, channel)
        for answer in ("/decu", "1", "Nguyễn Văn An", "thap muoi", "1", DEED):
            await chat.say(answer)
        assert "Bước 6/9" in chat.text
        await chat.send(chat.person.image(fake_zalo.file_url("big.png")))
        assert "nên chưa nhận được" in chat.text and "Bước 6/9" in chat.text
        assert fake_zalo.attempts("sendChatAction"), "a download shows the user that something is happening"
        await chat.send(chat.person.image(fake_zalo.file_url("chunked-big.png")))
        assert "nên chưa nhận được" in chat.text
    assert rows(app, "SELECT COUNT(*) FROM files") == [(0,)]
    assert not any((tmp_path / "data" / "files").rglob("*.png"))


async def test_a_long_answer_goes_out_in_several_messages(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    text = "\n".join(f"{n}. Đơn vị số {n} chưa gửi báo cáo sáu tháng đầu năm; hạn chót là ngày 15." for n in range(80))
    assert len(text) >= 5000
    async with running_zalo(tmp_path, clock, fake_zalo) as (app, _):
        sender = app.senders["zalo"]
        await sender.send("u-9", Reply(text=text))
        pieces = fake_zalo.texts("u-9")
        assert len(pieces) >= 3 and all(len(piece) <= 2000 for piece in pieces)
        assert "\n".join(pieces) == text  # cut only between lines, nothing lost or reordered

        fake_zalo.fail("sendMessage", Trouble(200, api_error(429, "Quota exceeded")))
        with pytest.raises(delivery.RetryAfter):
            await sender.send("u-9", Reply(text="Nhắc hạn báo cáo"))
    assert "zalo" not in app.senders


async def test_the_words_zalo_adds_follow_the_users_language(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    async with running_zalo(tmp_path, clock, fake_zalo) as (_, channel):
        chat = ZaloChat(fake_zalo, channel)
        await chat.say("/decu")
        assert "trả lời bằng số thứ tự" in chat.text
        await chat.say("/lang")
        assert chat.choices == ["Tiếng Việt", "English"]
        await chat.say("2")
        assert "Step 1/9" in chat.text and "Reply with the number" in chat.text
        await chat.say("1")
        await chat.say("/ngonngu vi")
        assert "Đã chuyển sang Tiếng Việt" in chat.text
        await chat.say("/quaylai")
        assert "Bước 1/9" in chat.text and "trả lời bằng số thứ tự" in chat.text
        await chat.say("/lang en")
        # With the language named, the step is asked again at once in English, its choices numbered.
        assert "Switched to English" in chat.text and "Step 1/9" in chat.text and "Reply with the number" in chat.text
        await chat.say("1")
        assert "Step 2/9" in chat.text
        for answer in ("Nguyễn Văn An", "thap muoi", "1", DEED, "1", "Trần Thị Bình"):
            await chat.say(answer)
        assert "Step 8/9" in chat.text and "please type your number" in chat.text


async def test_the_poller_takes_no_more_than_the_bot_keeps_up_with(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    fake_zalo.hold = 0.05  # the poller comes back often while it waits for room
    async with running_zalo(tmp_path, clock, fake_zalo) as (app, channel):
        assert channel.poller is not None
        channel.poller.in_flight = 2
        gate = asyncio.Event()
        answer = app.engine.answer

        async def held(incoming: Incoming, fetcher: FileFetcher | None = None, **kept: Any) -> Outcome:
            await gate.wait()
            return await answer(incoming, fetcher, **kept)

        app.engine.answer = held  # type: ignore[method-assign]
        people = [ZaloPerson(user_id=f"p{i}", name=f"Người {i}") for i in range(5)]
        fake_zalo.push(*(person.text("/start") for person in people))
        await wait_for(lambda: channel.inbox.in_progress == 2)
        await asyncio.sleep(0.2)  # several polls' worth of time: the rest stay at Zalo
        assert fake_zalo.updates.qsize() == 3 and fake_zalo.sent() == []
        gate.set()
        await wait_for(lambda: fake_zalo.settled)
        await channel.inbox.join()
        assert all(any("Xin chào" in t for t in fake_zalo.texts(p.chat_id)) for p in people)
