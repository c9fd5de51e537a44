"""Two `python -m bot run` processes on one PostgreSQL database behind one webhook address: people's updates
reach either worker, and each update is handled once, each person's in the order they were sent."""

from __future__ import annotations

import socket
from collections import Counter
from pathlib import Path

import httpx
import pytest

from tests.support.bot_process import STARTING, TELEGRAM_SECRET, BotProcess, Fakes
from tests.support.net import free_port, wait_for
from tests.support.telegram_fake import Updates

pytestmark = pytest.mark.parametrize("db_engine", ["postgresql"])

# 400 updates. Each person's four still alternate between the workers, so every claim (each update handled
# once, each person's in order, both workers at work) is made for each of a hundred people; two hundred made
# the same claims at twice the cost.
PEOPLE = 100
# On a shared 2-core machine: generous, a stuck worker still fails the test.
HANDLING = 300.0
STEPS = ["/start", "/trogiup", "/start", "/trogiup"]


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def inbox_rows(url: str) -> list[tuple[str, int, str | None]]:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return [
            (str(person), int(row_id), handled)
            for person, row_id, handled in conn.execute("SELECT person, id, handled_at FROM inbox ORDER BY id")
        ]


@pytest.mark.long
async def test_updates_spread_over_two_workers_are_handled_once_and_in_order(
    database_url: str,
    tmp_path: Path,
    fakes: Fakes,
) -> None:
    ports = [free_port(), free_port()]
    bots = []
    for number, port in enumerate(ports):
        folder = tmp_path / f"worker-{number}"
        folder.mkdir()
        bots.append(
            BotProcess(
                folder,
                fakes,
                DATABASE_URL=database_url,
                DATA_DIR=str(tmp_path / "data"),  # shared, as the README asks
                TELEGRAM_WEBHOOK_URL="https://bot.example.org/tg/hook",
                TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
                TELEGRAM_WEBHOOK_PORT=str(port),
                ZALO_BOT_TOKEN="",
                # One machine, one desk port: the browser desk is another issue's; these workers serve webhooks.
                WEB_ENABLED="false",
            )
        )
    people = [Updates(user_id=80_000 + i, first_name=f"Người {i}") for i in range(PEOPLE)]
    for bot in bots:
        bot.start(holding=False)
    try:
        await wait_for(lambda: all(listening(port) for port in ports), STARTING, every=0.05)
        async with httpx.AsyncClient() as client:
            for step, text in enumerate(STEPS):
                for i, person in enumerate(people):
                    # Each person's consecutive updates go to different workers.
                    port = ports[(i + step) % 2]
                    answer = await client.post(
                        f"http://127.0.0.1:{port}/tg/hook",
                        json=person.text(text),
                        headers={"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET},
                    )
                    assert answer.status_code == 200

        def all_handled() -> bool:
            answers = Counter(chat for chat, _ in fakes.telegram.sent)
            return all(answers[str(p.user_id)] >= len(STEPS) for p in people) and all(
                handled for _, _, handled in inbox_rows(database_url)
            )

        # Looked at every 0.1 s: counting hundreds of answers every few milliseconds took a core from the workers.
        await wait_for(all_handled, HANDLING, every=0.1)
    finally:
        for bot in bots:
            if bot.child is not None:
                bot.kill()

    rows = inbox_rows(database_url)
    assert len(rows) == PEOPLE * len(STEPS)  # each update kept once
    for person in people:
        handled = [str(h) for who, _, h in rows if who == str(person.user_id)]
        assert len(handled) == len(STEPS)
        assert handled == sorted(handled), "a person's later update was handled before an earlier one"
        texts = fakes.telegram.texts(person.user_id)
        assert sum("Bạn muốn làm gì?" in t for t in texts) == 2  # each /start answered once
        assert sum("Các lệnh bạn có thể dùng" in t for t in texts) == 2  # each /trogiup answered once
