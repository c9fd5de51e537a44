"""The bot as a real process, killed with SIGKILL after it told the messenger an update arrived and before it
handled it, then started again: every update is handled, once, on Telegram and Zalo, by webhook and by long
polling."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.config import CAMPAIGN, ROOT
from tests.support.telegram_fake import TOKEN, Updates
from tests.support.telegram_http_fake import HttpTelegram
from tests.test_telegram_webhook import free_port
from tests.test_zalo_conversation import DEED
from tests.support.zalo_fake import SECRET as ZALO_SECRET
from tests.support.zalo_fake import FakeZalo, ZaloPerson, wait_for

TELEGRAM_SECRET = "tg-Secret_value-1"
PEOPLE = 6
# A process starting on a busy machine: imports, migrations, getMe.
STARTING = 60.0

CHILD = """
import asyncio, os, sys
from pathlib import Path
sys.path.insert(0, {root!r})
from bot.engine.engine import Engine

hold = Path(os.environ["TEST_HOLD_FILE"])
hold_after = Path(os.environ["TEST_HOLD_FILE"] + "-after")
handle = Engine.handle

async def held(self, *args, **kwargs):
    # Kept and acknowledged, not yet handled: the moment a kill loses an update if anything does.
    if hold.exists():
        await asyncio.Event().wait()
    replies = await handle(self, *args, **kwargs)
    # Handled and committed, its replies not yet sent: the moment a kill loses a reference code.
    if hold_after.exists():
        await asyncio.Event().wait()
    return replies

Engine.handle = held
from bot.cli import main
sys.exit(main(["run"]))
"""


@dataclass
class Fakes:
    telegram: HttpTelegram
    zalo: FakeZalo


@pytest.fixture
async def fakes() -> AsyncIterator[Fakes]:
    telegram, zalo = HttpTelegram(), FakeZalo()
    await telegram.start()
    await zalo.start()
    try:
        yield Fakes(telegram, zalo)
    finally:
        await telegram.stop()
        await zalo.stop()


class BotProcess:
    """`python -m bot run` in a process of its own, with both messengers, which the test kills."""

    def __init__(self, tmp_path: Path, fakes: Fakes, **settings: str) -> None:
        self.tmp_path = tmp_path
        self.hold = tmp_path / "hold"
        self.script = tmp_path / "child.py"
        self.script.write_text(CHILD.format(root=str(ROOT)), encoding="utf-8")
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'thidua.db'}",
            "DATA_DIR": str(tmp_path / "data"),
            "CAMPAIGN_FILE": str(CAMPAIGN),
            "LOG_LEVEL": "WARNING",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fakes.telegram.base_url,
            "ZALO_BOT_TOKEN": fakes.zalo.token,
            "ZALO_API_BASE_URL": fakes.zalo.base_url,
            "TEST_HOLD_FILE": str(self.hold),
            # The browser desk would take its fixed port, which another run on this machine may hold.
            "WEB_ENABLED": "false",
            **settings,
        }
        self.child: subprocess.Popen[bytes] | None = None

    def start(self, *, holding: bool) -> None:
        if holding:
            self.hold.touch()
        else:
            self.hold.unlink(missing_ok=True)
        self.holding_after(False)
        self.child = subprocess.Popen([sys.executable, str(self.script)], env=self.env, cwd=self.tmp_path)

    def holding_after(self, on: bool) -> None:
        after = self.tmp_path / "hold-after"
        if on:
            after.touch()
        else:
            after.unlink(missing_ok=True)

    def kill(self) -> None:
        assert self.child is not None and self.child.poll() is None, "the bot stopped by itself"
        self.child.send_signal(signal.SIGKILL)
        self.child.wait(timeout=10)
        self.child = None


def greetings(fakes: Fakes, telegram: list[Updates], zalo: list[ZaloPerson]) -> list[int]:
    """How many greetings each person got."""
    counted = [sum("Xin chào" in text for text in fakes.telegram.texts(p.user_id)) for p in telegram]
    return counted + [sum("Xin chào" in text for text in fakes.zalo.texts(p.chat_id)) for p in zalo]


def people() -> tuple[list[Updates], list[ZaloPerson]]:
    telegram = [Updates(user_id=70_000 + i, first_name=f"Người {i}") for i in range(PEOPLE)]
    zalo = [ZaloPerson(user_id=f"zalo{i:04d}", name=f"Người {i}") for i in range(PEOPLE)]
    return telegram, zalo


async def test_webhook_updates_acknowledged_then_killed_are_handled_once(tmp_path: Path, fakes: Fakes) -> None:
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
    telegram, zalo = people()
    telegram_updates = [person.text("/start") for person in telegram]
    zalo_updates = [person.text("/start") for person in zalo]

    async def deliver(client: httpx.AsyncClient, tg: list[dict[str, Any]], zl: list[dict[str, Any]]) -> None:
        for update in tg:
            answer = await client.post(
                f"http://127.0.0.1:{telegram_port}/tg/hook",
                json=update,
                headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
            )
            assert answer.status_code == 200
        for update in zl:
            answer = await client.post(
                f"http://127.0.0.1:{zalo_port}/zalo/hook",
                json={"ok": True, "result": update},
                headers={"X-Bot-Api-Secret-Token": ZALO_SECRET},
            )
            assert answer.status_code == 200

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
        await wait_for(
            lambda: len(fakes.telegram.texts(telegram[0].user_id)) >= 2 and len(fakes.zalo.texts(zalo[0].chat_id)) >= 2,
            STARTING,
        )
    finally:
        if bot.child is not None:
            bot.kill()
    assert greetings(fakes, telegram, zalo) == [1] * 2 * PEOPLE


async def test_polled_updates_kept_then_killed_are_handled_once(tmp_path: Path, fakes: Fakes) -> None:
    bot = BotProcess(tmp_path, fakes)
    telegram, zalo = people()
    telegram_updates = [person.text("/start") for person in telegram]
    bot.start(holding=True)
    try:
        fakes.telegram.updates.extend(telegram_updates)
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
        fakes.telegram.updates.append(telegram[0].text("/trogiup"))
        fakes.zalo.push(zalo[0].text("/trogiup"))
        await wait_for(
            lambda: len(fakes.telegram.texts(telegram[0].user_id)) >= 2 and len(fakes.zalo.texts(zalo[0].chat_id)) >= 2,
            STARTING,
        )
    finally:
        if bot.child is not None:
            bot.kill()
    assert greetings(fakes, telegram, zalo) == [1] * 2 * PEOPLE


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
