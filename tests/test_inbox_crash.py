"""The bot as a real process, killed with SIGKILL after it told the messenger an update arrived and before it
handled it, then started again: every update is handled, once, on Telegram and Zalo, by webhook and by long
polling."""

from __future__ import annotations

import asyncio
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.bot_process import STARTING, TELEGRAM_SECRET, BotProcess, Fakes
from tests.support.conversations import DEED
from tests.support.net import free_port
from tests.support.telegram_fake import Updates
from tests.support.zalo_fake import SECRET as ZALO_SECRET
from tests.support.zalo_fake import ZaloPerson, wait_for

PEOPLE = 6


def greetings(fakes: Fakes, telegram: list[Updates], zalo: list[ZaloPerson]) -> list[int]:
    """How many greetings each person got."""
    counted = [sum("Xin chào" in text for text in fakes.telegram.texts(p.user_id)) for p in telegram]
    return counted + [sum("Xin chào" in text for text in fakes.zalo.texts(p.chat_id)) for p in zalo]


def people() -> tuple[list[Updates], list[ZaloPerson]]:
    telegram = [Updates(user_id=70_000 + i, first_name=f"Người {i}") for i in range(PEOPLE)]
    zalo = [ZaloPerson(user_id=f"zalo{i:04d}", name=f"Người {i}") for i in range(PEOPLE)]
    return telegram, zalo


async def answered_twice(fakes: Fakes, person: Updates, zalo_person: ZaloPerson) -> None:
    """Until the person has two answers on each messenger: a later update answered, so an earlier one handled
    twice would have shown by then."""
    await wait_for(
        lambda: len(fakes.telegram.texts(person.user_id)) >= 2 and len(fakes.zalo.texts(zalo_person.chat_id)) >= 2,
        STARTING,
    )


@dataclass
class Hooks:
    """The bot behind a webhook for each messenger, and how each messenger posts an update to it."""

    bot: BotProcess
    telegram_port: int
    zalo_port: int

    async def telegram(self, client: httpx.AsyncClient, update: dict[str, Any]) -> httpx.Response:
        return await client.post(
            f"http://127.0.0.1:{self.telegram_port}/tg/hook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
        )

    async def zalo(self, client: httpx.AsyncClient, update: dict[str, Any]) -> httpx.Response:
        return await client.post(
            f"http://127.0.0.1:{self.zalo_port}/zalo/hook",
            json={"ok": True, "result": update},
            headers={"X-Bot-Api-Secret-Token": ZALO_SECRET},
        )


def webhook_bot(tmp_path: Path, fakes: Fakes) -> Hooks:
    telegram_port, zalo_port = free_port(), free_port()
    bot = BotProcess(
        tmp_path,
        fakes,
        TELEGRAM_WEBHOOK_URL="https://bot.example.org/tg/hook",
        TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
        TELEGRAM_WEBHOOK_PORT=str(telegram_port),
        ZALO_WEBHOOK_URL="https://bot.example.org/zalo/hook",
        ZALO_WEBHOOK_SECRET=ZALO_SECRET,
        ZALO_WEBHOOK_PORT=str(zalo_port),
    )
    return Hooks(bot, telegram_port, zalo_port)


@pytest.mark.long
async def test_webhook_updates_acknowledged_then_killed_are_handled_once(tmp_path: Path, fakes: Fakes) -> None:
    hooks = webhook_bot(tmp_path, fakes)
    bot = hooks.bot
    telegram, zalo = people()
    telegram_updates = [person.text("/start") for person in telegram]
    zalo_updates = [person.text("/start") for person in zalo]

    async def deliver(client: httpx.AsyncClient, tg: list[dict[str, Any]], zl: list[dict[str, Any]]) -> None:
        for update in tg:
            assert (await hooks.telegram(client, update)).status_code == 200
        for update in zl:
            assert (await hooks.zalo(client, update)).status_code == 200

    bot.start(holding=True)
    try:
        await wait_for(lambda: fakes.telegram.webhook and fakes.zalo.webhook, STARTING)
        async with httpx.AsyncClient() as client:
            await deliver(client, telegram_updates, zalo_updates)
        bot.kill()
        assert fakes.telegram.sent == [] and fakes.zalo.sent() == []  # acknowledged, never handled

        fakes.telegram.webhook, fakes.zalo.webhook = {}, {}
        bot.start(holding=False)
        await wait_for(lambda: greetings(fakes, telegram, zalo) == [1] * 2 * PEOPLE, STARTING)
        async with httpx.AsyncClient() as client:
            # The messengers deliver the first person's update again, then that person writes on.
            await wait_for(lambda: fakes.telegram.webhook and fakes.zalo.webhook, STARTING)
            await deliver(client, telegram_updates[:1], zalo_updates[:1])
            await deliver(client, [telegram[0].text("/trogiup")], [zalo[0].text("/trogiup")])
        # One person's updates are handled in order: once the later one is answered, the redelivery was seen.
        await answered_twice(fakes, telegram[0], zalo[0])
    finally:
        if bot.child is not None:
            bot.kill()
    assert greetings(fakes, telegram, zalo) == [1] * 2 * PEOPLE


@pytest.mark.long
async def test_polled_updates_kept_then_killed_are_handled_once(tmp_path: Path, fakes: Fakes) -> None:
    bot = BotProcess(tmp_path, fakes)
    telegram, zalo = people()
    telegram_updates = [person.text("/start") for person in telegram]
    bot.start(holding=True)
    try:
        fakes.telegram.push(*telegram_updates)
        fakes.zalo.push(*(person.text("/start") for person in zalo))
        last = max(update["update_id"] for update in telegram_updates)
        # Telegram is told (the offset moves past them) and Zalo has handed them out: both only after the
        # updates were kept.
        await wait_for(lambda: fakes.telegram.confirmed > last and fakes.zalo.settled, STARTING)
        bot.kill()
        assert fakes.telegram.sent == [] and fakes.zalo.sent() == []

        bot.start(holding=False)
        await wait_for(lambda: greetings(fakes, telegram, zalo) == [1] * 2 * PEOPLE, STARTING)
        # Once more through the same process, so anything handled twice has had its chance to show.
        fakes.telegram.push(telegram[0].text("/trogiup"))
        fakes.zalo.push(zalo[0].text("/trogiup"))
        await answered_twice(fakes, telegram[0], zalo[0])
    finally:
        if bot.child is not None:
            bot.kill()
    assert greetings(fakes, telegram, zalo) == [1] * 2 * PEOPLE


@pytest.mark.long
async def test_an_update_kept_by_its_handling_survives_a_kill_before_its_commit_and_before_its_answer(
    tmp_path: Path, fakes: Fakes
) -> None:
    hooks = webhook_bot(tmp_path, fakes)
    bot = hooks.bot
    telegram, zalo = people()
    tg_update, zl_update = telegram[0].text("/start"), zalo[0].text("/start")

    async def post(client: httpx.AsyncClient, tg: dict[str, Any], zl: dict[str, Any]) -> list[int]:
        return [(await hooks.telegram(client, tg)).status_code, (await hooks.zalo(client, zl)).status_code]

    def kept() -> int:
        with sqlite3.connect(tmp_path / "thidua.db") as db:
            return int(db.execute("SELECT COUNT(*) FROM inbox").fetchone()[0])

    bot.start(holding=False)
    try:
        await wait_for(lambda: fakes.telegram.webhook and fakes.zalo.webhook, STARTING)
        bot.holding_while_kept(True)
        async with httpx.AsyncClient(timeout=STARTING) as client:
            delivery = asyncio.create_task(hooks.telegram(client, tg_update))
            # Written by the transaction handling it, which does not commit: killed there, before any answer.
            await wait_for(lambda: bot.held_while_kept() or delivery.done(), STARTING)
            bot.kill()
            with pytest.raises(httpx.TransportError):
                await delivery
        assert fakes.telegram.sent == [] and kept() == 0

        # Telegram never heard it arrived, so it delivers it again: handled and committed this time, and the
        # process killed before the answer goes out.
        fakes.telegram.webhook, fakes.zalo.webhook = {}, {}
        bot.start(holding=False)
        await wait_for(lambda: fakes.telegram.webhook and fakes.zalo.webhook, STARTING)
        bot.holding_after(True)
        async with httpx.AsyncClient() as client:
            answer = await hooks.telegram(client, tg_update)
        assert answer.status_code == 200 and kept() == 1
        bot.kill()
        assert fakes.telegram.sent == []

        # The kept answer goes out after the restart; a further delivery (of it, and of a Zalo update, which is
        # kept before it is handled) is answered once.
        fakes.telegram.webhook, fakes.zalo.webhook = {}, {}
        bot.start(holding=False)
        await wait_for(lambda: greetings(fakes, telegram[:1], zalo[:0]) == [1], STARTING)
        await wait_for(lambda: fakes.telegram.webhook and fakes.zalo.webhook, STARTING)
        async with httpx.AsyncClient() as client:
            assert await post(client, tg_update, zl_update) == [200, 200]
            assert await post(client, tg_update, zl_update) == [200, 200]
            # Anything handled twice has had its chance to show once these are answered.
            await post(client, telegram[0].text("/trogiup"), zalo[0].text("/trogiup"))
        await answered_twice(fakes, telegram[0], zalo[0])
    finally:
        if bot.child is not None:
            bot.kill()
    assert greetings(fakes, telegram[:1], zalo[:1]) == [1, 1]
    assert kept() == 4


@pytest.mark.long
async def test_killed_after_submit_before_the_answer_the_person_still_gets_the_reference(
    tmp_path: Path, fakes: Fakes
) -> None:
    port = free_port()
    bot = BotProcess(
        tmp_path,
        fakes,
        TELEGRAM_BOT_TOKEN="",
        ZALO_WEBHOOK_URL="https://bot.example.org/zalo/hook",
        ZALO_WEBHOOK_SECRET=ZALO_SECRET,
        ZALO_WEBHOOK_PORT=str(port),
    )
    person = ZaloPerson(user_id="lan0001", name="Lan")
    url = f"http://127.0.0.1:{port}/zalo/hook"

    async def say(client: httpx.AsyncClient, update: dict[str, Any], expect: str | None = None) -> None:
        before = len(fakes.zalo.texts(person.chat_id))
        answer = await client.post(url, json=update, headers={"X-Bot-Api-Secret-Token": ZALO_SECRET})
        assert answer.status_code == 200
        if expect is not None:
            await wait_for(lambda: any(expect in t for t in fakes.zalo.texts(person.chat_id)[before:]), STARTING)

    def nominations() -> list[tuple[Any, ...]]:
        with sqlite3.connect(tmp_path / "thidua.db") as db:
            return list(db.execute("SELECT reference FROM nominations"))

    submit = person.text("1")
    bot.start(holding=False)
    try:
        await wait_for(lambda: fakes.zalo.webhook, STARTING)
        async with httpx.AsyncClient() as client:
            steps = ["/decu", "1", "Nguyễn Văn An", "thap muoi", "1", DEED, "1", "Trần Thị Bình", "0912 345 678"]
            for number, text in enumerate(steps, start=1):
                await say(client, person.text(text), f"Bước {number}/9")
            await say(client, person.text("Tôi xác nhận"), "Xem lại trước khi gửi")
            bot.holding_after(True)
            await say(client, submit)
            await wait_for(lambda: nominations() == [("NTVT-2026-000001",)], STARTING)
        bot.kill()
        assert not any("NTVT-" in text for text in fakes.zalo.texts(person.chat_id))

        fakes.zalo.webhook = {}
        bot.start(holding=False)
        await wait_for(lambda: any("NTVT-2026-000001" in t for t in fakes.zalo.texts(person.chat_id)), STARTING)
        async with httpx.AsyncClient() as client:
            await wait_for(lambda: fakes.zalo.webhook, STARTING)
            await say(client, submit)  # Zalo delivers the Submit again
            await say(client, person.text("/trogiup"), "/decu")
    finally:
        if bot.child is not None:
            bot.kill()
    assert sum("NTVT-2026-000001" in text for text in fakes.zalo.texts(person.chat_id)) == 1
    assert nominations() == [("NTVT-2026-000001",)]
