"""What keeping every update and every reply costs: complete nominations per second through the Telegram
channel with the inbox and reply records (A: each update committed to the inbox, handled in the transaction
that marks it, its replies kept and marked sent) against the same channel without them (B: python-telegram-bot's
process_update straight into the engine, as before the inbox).

Both run on the same in-process fake of the Bot API, one update after another, each mode on its own SQLite
file in WAL mode. Rounds alternate A B A B with fresh people each round; the figures are the medians.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402

from bench.bench_telegram_nomination import conversation  # noqa: E402
from bench.common import Stopwatch, record, report, scratch_dir  # noqa: E402
from bot.app import App, build_app  # noqa: E402
from bot.channels.telegram.application import TelegramApp, TelegramChannel, build_application  # noqa: E402
from bot.channels.telegram.inbox import arrival  # noqa: E402
from bot.channels.telegram.runner import inbox_worker  # noqa: E402
from bot.inbox.worker import InboxWorker  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.support.telegram_fake import TOKEN, FakeTelegram, Updates, as_update  # noqa: E402

ROUNDS = 4
CONVERSATIONS = 40


class Mode:
    """One way of receiving updates, on its own database."""

    def __init__(self, app: App, kept: bool) -> None:
        self.app = app
        self.kept = kept
        self.channel = TelegramChannel(app)
        self.fake = FakeTelegram()
        self.application: TelegramApp = build_application(app, self.fake, self.channel)
        self.inbox: InboxWorker | None = None

    async def start(self) -> None:
        await self.application.initialize()
        bot = self.application.bot
        self.inbox = inbox_worker(self.app, self.channel, bot)

    async def feed(self, updates: list[dict[str, Any]]) -> float:
        bot = self.application.bot
        watch = Stopwatch()
        for data in updates:
            if self.kept:
                assert self.inbox is not None
                await self.inbox.keep(arrival(Update.de_json(data, bot), json.dumps(data, ensure_ascii=False)))
                await self.inbox.join()
            else:
                await self.application.process_update(as_update(data, bot))
        return watch.seconds

    async def nominations(self) -> int:
        rows = await self.app.db.conn.execute_fetchall("SELECT COUNT(*) FROM nominations")
        return int(next(iter(rows))[0])


async def mode_app(folder: Path) -> App:
    folder.mkdir()
    settings = Settings.model_validate(
        {
            "database_url": f"sqlite:///{folder / 'thidua.db'}",
            "data_dir": folder / "data",
            "campaign_file": ROOT / "config" / "dong-thap-2023.yaml",
            "telegram_bot_token": TOKEN,
        }
    )
    return await build_app(settings)


async def measure(rounds: int = ROUNDS, conversations: int = CONVERSATIONS) -> dict[str, float]:
    rates: dict[bool, list[float]] = {True: [], False: []}
    with scratch_dir("bench-durability-") as folder:
        modes = {kept: Mode(await mode_app(folder / str(kept)), kept) for kept in (True, False)}
        for mode in modes.values():
            await mode.start()
        for number in range(rounds):
            for kept in (True, False):
                base = 100_000 * (number + 1) + (50_000 if kept else 0)
                people = [Updates(user_id=base + i) for i in range(conversations)]
                seconds = await modes[kept].feed([u for person in people for u in conversation(person)])
                rates[kept].append(conversations / seconds)
        for kept, mode in modes.items():
            committed = await mode.nominations()
            assert committed == rounds * conversations, f"{committed} nominations committed ({kept=})"
            await mode.application.shutdown()
            await mode.app.close()
    return {"kept": statistics.median(rates[True]), "bare": statistics.median(rates[False])}


def main() -> None:
    figures = asyncio.run(measure())
    report(
        "Nominations per second through Telegram, with and without the inbox and reply records "
        f"({ROUNDS} alternating rounds of {CONVERSATIONS} each, medians):",
        [
            ("with inbox + replies", f"{figures['kept']:.1f}/s"),
            ("without", f"{figures['bare']:.1f}/s"),
            ("ratio", f"{figures['kept'] / figures['bare']:.2f}"),
        ],
    )
    record("nominations/s with inbox + replies / without", figures["kept"] / figures["bare"])


if __name__ == "__main__":
    main()
