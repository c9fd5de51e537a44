"""Complete nominations per second through the Zalo channel, beside the bare engine and the Telegram figure.

The Zalo channel runs for real against the fake Bot API of the tests, a real HTTP server on 127.0.0.1 in a
process of its own (as Zalo's servers are not in ours): by long polling, where Zalo hands out one update per
getUpdates call, and by webhook, where the fake posts each update to the bot's endpoint over 8 connections,
one person's updates in order. Every reply goes out as sendMessage over HTTP; every step is a transaction on
SQLite in WAL mode on disk. The baseline drives the same conversations into the engine directly, with no
messenger at all, so the ratio is what the Zalo channel costs on top of the conversation itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import sqlite3
import statistics
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.common import Stopwatch, record, report, scratch_dir  # noqa: E402
from bot.app import App, build_app  # noqa: E402
from bot.channels.zalo.mapping import to_incoming  # noqa: E402
from bot.channels.zalo.runner import start_zalo, stop_zalo  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.support.zalo_fake import TOKEN, FakeZalo, ZaloPerson  # noqa: E402

CONVERSATIONS = 100
ROUNDS = 3
SECRET = "bench-webhook-secret"
PUBLIC = "https://bot.example.org"
DEED = "Chị đã tổ chức lớp học tình thương miễn phí cho trẻ em nghèo trong ấp suốt ba năm liền."
# The Telegram bench's conversation, as typed on Zalo: numbers for choices, the movement by its name, the
# phone number typed (no share button): individual, name, unit, movement, deed, no evidence, nominator,
# phone, agree, submit.
ANSWERS = [
    "/decu",
    "1",
    "Nguyễn Thị Mười",
    "thap muoi",
    "Xây dựng văn hóa và con người Đồng Tháp nghĩa tình, năng động, sáng tạo",
    DEED,
    "1",
    "Lê Văn Hai",
    "0912345678",
    "1",
    "1",
]


def updates_of(conversations: int) -> list[dict[str, Any]]:
    """Everyone's first message, then everyone's second, and so on: many people at once, each in order."""
    people = [ZaloPerson(user_id=f"zl{i:06d}", name=f"Người {i}") for i in range(conversations)]
    return [person.text(answer) for answer in ANSWERS for person in people]


def settings_for(folder: Path, base_url: str, **extra: Any) -> Settings:
    return Settings.model_validate(
        {
            "database_url": f"sqlite:///{folder / 'thidua.db'}",
            "data_dir": folder / "data",
            "campaign_file": ROOT / "config" / "dong-thap-2023.yaml",
            "zalo_bot_token": TOKEN,
            "zalo_api_base_url": base_url,
            **extra,
        }
    )


def nominations(app: App) -> int:
    with contextlib.closing(sqlite3.connect(app.db.path)) as conn:
        sql = "SELECT COUNT(*) FROM nominations WHERE nominator_phone = '+84912345678' AND category_code = 'PT08'"
        return int(conn.execute(sql).fetchone()[0])


def serve_fake(pipe: Connection) -> None:
    """The fake Bot API, in the child process, until the parent ends it."""

    async def serve() -> None:
        fake = FakeZalo()
        await fake.start()
        pipe.send(fake.base_url)
        await asyncio.Event().wait()

    asyncio.run(serve())


@contextmanager
def fake_elsewhere() -> Iterator[str]:
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=serve_fake, args=(theirs,), daemon=True)
    process.start()
    try:
        yield str(ours.recv())
    finally:
        process.terminate()
        process.join()


async def bare_engine(conversations: int) -> float:
    """Seconds for the conversations fed straight into the engine, one update after another."""
    with scratch_dir("bench-zalo-bare-") as folder:
        app = await build_app(settings_for(folder, "http://127.0.0.1:9"))
        incoming = [to_incoming(update) for update in updates_of(conversations)]
        watch = Stopwatch()
        for item in incoming:
            assert item is not None
            await app.engine.handle(item)
        seconds = watch.seconds
        assert nominations(app) == conversations, f"only {nominations(app)} nominations were committed"
        await app.close()
    return seconds


async def through_zalo(conversations: int, mode: str, base_url: str) -> float:
    """Seconds from the first update to the last reply, with the Zalo channel in the given mode."""
    webhook = {
        "zalo_webhook_url": f"{PUBLIC}/zalo/hook",
        "zalo_webhook_secret": SECRET,
        "zalo_webhook_port": 0,
    }
    async with httpx.AsyncClient(base_url=base_url) as control:
        with scratch_dir(f"bench-zalo-{mode}-") as folder:
            app = await build_app(settings_for(folder, base_url, **(webhook if mode == "webhook" else {})))
            channel = await start_zalo(app, poll_timeout=1)
            setup: dict[str, Any] = {"hold": 0.01, "webhook_lanes": 0, "proxy": None}
            if channel.webhook is not None:
                local = f"http://127.0.0.1:{channel.webhook.port}"
                setup.update(webhook_lanes=8, proxy=[PUBLIC, local])
            (await control.post("/_fake/setup", json=setup)).raise_for_status()
            watch = Stopwatch()
            (await control.post("/_fake/updates", json=updates_of(conversations))).raise_for_status()
            # Every nomination committed means every last update reached the bot; join waits for its replies.
            while nominations(app) < conversations:  # noqa: ASYNC110 - the database is the only witness
                await asyncio.sleep(0.1)
            await channel.inbox.join()
            seconds = watch.seconds
            assert nominations(app) == conversations, f"only {nominations(app)} nominations were committed"
            await stop_zalo(app, channel)
            await app.close()
    return seconds


async def telegram_round(conversations: int) -> float | None:
    """One round of the Telegram bench (nominations per second), or None where it cannot run."""
    try:
        from bench.bench_telegram_nomination import measure
    except ImportError:
        return None
    figures = await measure(conversations, rounds=1)
    return figures["bot"]


async def measure(conversations: int = CONVERSATIONS, rounds: int = ROUNDS) -> dict[str, float]:
    """Rounds alternate bare engine, polling, webhook and Telegram, each on a fresh database; medians."""
    times: dict[str, list[float]] = {"bare": [], "polling": [], "webhook": []}
    telegram: list[float] = []
    with fake_elsewhere() as base_url:
        for _ in range(rounds):
            times["bare"].append(await bare_engine(conversations))
            times["polling"].append(await through_zalo(conversations, "polling", base_url))
            times["webhook"].append(await through_zalo(conversations, "webhook", base_url))
            rate = await telegram_round(conversations)
            if rate is not None:
                telegram.append(rate)
    seconds = {mode: statistics.median(found) for mode, found in times.items()}
    figures = {
        "bare": conversations / seconds["bare"],
        "polling": conversations / seconds["polling"],
        "webhook": conversations / seconds["webhook"],
        "polling_seconds": seconds["polling"],
        "webhook_seconds": seconds["webhook"],
    }
    if telegram:
        figures["telegram"] = statistics.median(telegram)
    return figures


def main() -> None:
    figures = asyncio.run(measure())
    updates = CONVERSATIONS * len(ANSWERS)
    rows = [
        ("Zalo, long polling", f"{figures['polling']:.1f} nominations/s ({figures['polling_seconds']:.2f} s)"),
        ("Zalo, webhook", f"{figures['webhook']:.1f} nominations/s ({figures['webhook_seconds']:.2f} s)"),
        ("bare engine, no messenger", f"{figures['bare']:.1f} nominations/s (same conversations)"),
        ("ratio polling / bare", f"{figures['polling'] / figures['bare']:.2f}"),
        ("ratio webhook / bare", f"{figures['webhook'] / figures['bare']:.2f}"),
    ]
    if "telegram" in figures:
        rows.append(("Telegram (bench_telegram_nomination)", f"{figures['telegram']:.1f} nominations/s"))
        rows.append(("ratio Zalo webhook / Telegram", f"{figures['webhook'] / figures['telegram']:.2f}"))
        # Not like for like: Telegram's fake sits at the HTTP request layer, in the bot's own process.
        rows.append(("(Telegram's figure involves no HTTP)", ""))
    report(
        f"Zalo: {CONVERSATIONS} complete nominations ({updates} updates), fake Bot API on loopback;"
        f" {ROUNDS} alternating rounds (bare, polling, webhook, Telegram), medians",
        rows,
    )
    record("webhook nominations/s", figures["webhook"], "/s", digits=1)
    record("ratio webhook / bare engine", figures["webhook"] / figures["bare"])
    if "telegram" in figures:
        record("ratio Zalo webhook / Telegram", figures["webhook"] / figures["telegram"], at_least=0.9)


if __name__ == "__main__":
    main()
