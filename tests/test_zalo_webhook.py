"""Webhook mode: a real HTTP endpoint on loopback that refuses requests without the secret, answers at once,
keeps each person's order, and serves the images the bot sends."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import build_app
from bot.channels.zalo.runner import ZaloConfigError, start_zalo
from bot.cli.run import messenger_runners
from bot.clock import FixedClock
from bot.conversation.messages import Incoming, OutgoingFile, Reply
from bot.domain.policy import Grant, Role
from bot.engine.engine import FileFetcher
from bot.engine.outcome import Outcome
from tests.support.chat import Person
from tests.support.conversations import DEED
from tests.support.roles import invite_code
from tests.support.zalo_fake import PUBLIC, SECRET, WEBHOOK, FakeZalo, ZaloChat, ZaloPerson, running_zalo, zalo_settings

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 300


async def test_requests_without_the_right_secret_are_refused(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    async with running_zalo(tmp_path, clock, fake_zalo, **WEBHOOK) as (_, channel):
        chat = ZaloChat(fake_zalo, channel)
        url = chat.webhook_url
        assert url is not None
        update = {"ok": True, "result": chat.person.text("/start")}
        async with httpx.AsyncClient() as client:
            missing = await client.post(url, json=update)
            wrong = await client.post(url, json=update, headers={"X-Bot-Api-Secret-Token": "webhook-Secret_124"})
            prefix = await client.post(url, json=update, headers={"X-Bot-Api-Secret-Token": SECRET[:-1]})
            assert (missing.status_code, wrong.status_code, prefix.status_code) == (403, 403, 403)
            garbage = await client.post(url, content=b"{not json", headers={"X-Bot-Api-Secret-Token": SECRET})
            assert garbage.status_code == 400
            # Zalo gives no update id: one without a message id could not be told from a redelivery.
            anonymous = chat.person.text("/start")
            del anonymous["message"]["message_id"]
            unnamed = await client.post(url, json=anonymous, headers={"X-Bot-Api-Secret-Token": SECRET})
            assert unnamed.status_code == 400
            huge = await client.post(url, content=b"x" * (2 * 1024 * 1024), headers={"X-Bot-Api-Secret-Token": SECRET})
            assert huge.status_code == 413
        await channel.inbox.join()
        assert fake_zalo.sent() == []  # nothing was handled

        await chat.send(chat.person.text("/start"), wrapped=False)  # a flat update is accepted too
        assert "Xin chào Lan!" in chat.text


async def test_the_answer_comes_before_the_work(tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo) -> None:
    async with running_zalo(tmp_path, clock, fake_zalo, **WEBHOOK) as (app, channel):
        chat = ZaloChat(fake_zalo, channel)
        gate = asyncio.Event()
        answer = app.engine.answer

        async def held(incoming: Incoming, fetcher: FileFetcher | None = None, **kept: Any) -> Outcome:
            await gate.wait()
            return await answer(incoming, fetcher, **kept)

        app.engine.answer = held  # type: ignore[method-assign]
        url = chat.webhook_url
        assert url is not None
        async with httpx.AsyncClient() as client:
            response = await client.post(
                url, json=chat.person.text("/start"), headers={"X-Bot-Api-Secret-Token": SECRET}
            )
        # Answered while the conversation could not even begin.
        assert response.status_code == 200 and response.json() == {"ok": True}
        assert fake_zalo.attempts("sendMessage") == []
        gate.set()
        await channel.inbox.join()
        assert "Xin chào" in fake_zalo.texts(chat.person.chat_id)[0]


async def test_each_persons_updates_keep_their_order_and_a_repeat_is_handled_once(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    async with running_zalo(tmp_path, clock, fake_zalo, **WEBHOOK) as (_, channel):
        lan, ba = ZaloPerson("lan-1", "Lan"), ZaloPerson("ba-2", "Ba")
        url = ZaloChat(fake_zalo, channel).webhook_url
        assert url is not None
        script = {
            lan: ["/decu", "1", "Nguyễn Văn An", "thap muoi"],
            ba: ["/decu", "2", "Hội Nông dân xã Mỹ An"],
        }
        updates = [(p, p.text(t)) for p in script for t in script[p]]
        repeated = updates[1][1]
        # Interleaved, posted at once, the second of Lan's sent twice: as a busy webhook would see them.
        order = [updates[0], updates[4], updates[1], updates[5], (lan, repeated), updates[2], updates[6], updates[3]]
        headers = {"X-Bot-Api-Secret-Token": SECRET}
        async with httpx.AsyncClient() as client:
            for _, update in order:
                assert (await client.post(url, json={"ok": True, "result": update}, headers=headers)).status_code == 200
        await channel.inbox.join()
        assert "Bước 4/9" in fake_zalo.texts(lan.chat_id)[-1]
        assert "Bước 3/9" in fake_zalo.texts(ba.chat_id)[-1]
        assert len(fake_zalo.texts(lan.chat_id)) == 4 and len(fake_zalo.texts(ba.chat_id)) == 3


async def test_an_image_reply_is_sent_as_a_photo_zalo_can_fetch(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    image = tmp_path / "chart.png"
    image.write_bytes(PNG)
    document = tmp_path / "bao-cao.pdf"
    document.write_bytes(b"%PDF-1.4 ...")
    async with running_zalo(tmp_path, clock, fake_zalo, **WEBHOOK) as (app, channel):
        assert channel.webhook is not None
        fake_zalo.proxy = (f"{PUBLIC}/zalo/hook", f"http://127.0.0.1:{channel.webhook.port}/zalo/hook")
        sender = app.senders["zalo"]
        await sender.send(
            "u-1",
            Reply(text="Tình hình báo cáo", file=OutgoingFile(path=image, filename="chart.png", mime="image/png")),
        )
        [photo] = fake_zalo.sent("u-1")
        assert photo.method == "sendPhoto" and photo.params["caption"] == "Tình hình báo cáo"
        assert str(photo.params["photo"]).startswith(f"{PUBLIC}/zalo/hook/files/")
        assert fake_zalo.fetched_photos == [PNG]
        async with httpx.AsyncClient() as client:
            guessed = await client.get(f"http://127.0.0.1:{channel.webhook.port}/zalo/hook/files/{'A' * 32}")
        assert guessed.status_code == 404

        await sender.send(
            "u-1",
            Reply(
                text="Báo cáo tổng hợp",
                file=OutgoingFile(path=document, filename="bao-cao.pdf", mime="application/pdf"),
            ),
        )
        said = fake_zalo.sent("u-1")[-1]
        assert said.method == "sendMessage" and "bao-cao.pdf" in said.params["text"]
        assert "không gửi được qua Zalo" in said.params["text"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"zalo_webhook_url": f"{PUBLIC}/zalo/hook"}, "ZALO_WEBHOOK_SECRET is empty"),
        ({"zalo_webhook_url": f"{PUBLIC}/zalo/hook", "zalo_webhook_secret": "short"}, "8 to 256"),
        ({"zalo_bot_token": "1:not-the-token"}, "refused ZALO_BOT_TOKEN"),
    ],
)
async def test_a_channel_that_cannot_work_stops_start_up(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo, overrides: dict[str, Any], message: str
) -> None:
    app = await build_app(zalo_settings(tmp_path, fake_zalo, **overrides), clock)
    try:
        with pytest.raises(ZaloConfigError, match=message):
            await start_zalo(app)
        assert "zalo" not in app.senders
    finally:
        await app.close()


async def test_both_messengers_run_when_both_tokens_are_set(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    both = await build_app(zalo_settings(tmp_path, fake_zalo, telegram_bot_token="123:telegram"), clock)
    await both.close()
    assert [name for name, _ in messenger_runners(both)] == ["telegram", "zalo"]
    # A blank token, as left in a copied .env.example, is no token.
    telegram_only = await build_app(
        zalo_settings(tmp_path, fake_zalo, telegram_bot_token="123:t", zalo_bot_token=""), clock
    )
    await telegram_only.close()
    assert [name for name, _ in messenger_runners(telegram_only)] == ["telegram"]


async def test_the_webhook_stops_listening_when_the_channel_stops(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    async with running_zalo(tmp_path, clock, fake_zalo, **WEBHOOK) as (_, channel):
        url = ZaloChat(fake_zalo, channel).webhook_url
        assert url is not None
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await asyncio.wait_for(client.post(url, json={}), 2)


async def test_a_webhook_port_already_taken_stops_start_up(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        app = await build_app(zalo_settings(tmp_path, fake_zalo, **{**WEBHOOK, "zalo_webhook_port": port}), clock)
        try:
            with pytest.raises(ZaloConfigError, match="ZALO_WEBHOOK_PORT"):
                await start_zalo(app)
            assert "zalo" not in app.senders and fake_zalo.webhook == {}
        finally:
            await app.close()


async def test_the_evidence_reaches_a_reviewer_on_zalo_as_photos_and_a_note(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    photo = tmp_path / "anh-cau.png"
    photo.write_bytes(PNG)
    letter = tmp_path / "giay-khen.pdf"
    letter.write_bytes(b"%PDF-1.4 a letter of commendation")
    async with running_zalo(tmp_path, clock, fake_zalo, **WEBHOOK) as (app, channel):
        assert channel.webhook is not None
        fake_zalo.proxy = (f"{PUBLIC}/zalo/hook", f"http://127.0.0.1:{channel.webhook.port}/zalo/hook")
        # Sent from the terminal, where a PDF can be attached; reviewed on Zalo.
        citizen = Person(app, "1001")
        for step in ("/decu", "Cá nhân", "Nguyễn Văn An", "thap muoi", "nông thôn mới", DEED):
            await (citizen.tap(step) if step in ("Cá nhân", "nông thôn mới") else citizen.say(step))
        await citizen.send_file(photo)
        await citizen.send_file(letter)
        await citizen.tap("Xong")
        await citizen.say("Trần Thị Bình")
        await citizen.say("0912 345 678")
        await citizen.tap("Tôi xác nhận")
        await citizen.tap("Gửi")
        lan = ZaloChat(fake_zalo, channel, ZaloPerson(user_id="z-lan", name="Lan"))
        await lan.say(f"/dangky {await invite_code(app, Grant(role=Role.SECRETARIAT))}")
        await lan.say("/xem NTVT-2026-000001")
        assert "📎 Xem minh chứng (2)" in lan.choices
        number = lan.choices.index("📎 Xem minh chứng (2)") + 1
        out = await lan.say(str(number))
        sent = fake_zalo.sent("z-lan")[-len(out) :]
        assert [c.method for c in sent] == ["sendMessage", "sendPhoto", "sendMessage"]
        assert sent[0].params["text"].startswith("📎 Minh chứng của đề cử NTVT-2026-000001: 2 tệp")
        assert "giay-khen.pdf" in sent[0].params["text"] and "Zalo không gửi được" in sent[0].params["text"]
        assert str(sent[1].params["photo"]).startswith(f"{PUBLIC}/zalo/hook/files/")
        assert fake_zalo.fetched_photos == [PNG]
        assert "1. ✅ Duyệt" in sent[2].params["text"]
        # Nobody else was sent anything.
        assert {c.params["chat_id"] for c in fake_zalo.sent()} == {"z-lan"}
