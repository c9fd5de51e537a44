"""Complete nominations per second through the Telegram channel, against a bare echo bot.

Both run python-telegram-bot's real Application on the same in-process fake of the Bot API and are fed
the same updates, one after another. The nomination bot does everything a real one does: SQLite in WAL
mode on disk, one transaction per update, the session saved after every step, buttons answered and taken
off their message, the phone shared with the contact button and its keyboard taken away. The echo bot
sends one message per update.

Below the two rates, the time per update is split between the engine (its SQLite transaction and the
conversation) and the Telegram side (PTB and the channel), to show where the time goes.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler  # noqa: E402

from bench.common import Stopwatch, record, report, scratch_dir  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.channels.telegram.application import TelegramApp, build_application  # noqa: E402
from bot.conversation.messages import Incoming  # noqa: E402
from bot.engine.engine import Engine, FileFetcher  # noqa: E402
from bot.engine.outcome import Outcome  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.support.telegram_fake import TOKEN, FakeTelegram, Updates, as_update  # noqa: E402

CONVERSATIONS = 30
ROUNDS = 5
DEED = "Chị đã tổ chức lớp học tình thương miễn phí cho trẻ em nghèo trong ấp suốt ba năm liền."


def press(person: Updates, data: str) -> dict[str, Any]:
    """A button press as Telegram delivers it: with the pressed message and its keyboard."""
    update = person.press(data)
    update["callback_query"]["message"]["reply_markup"] = {"inline_keyboard": [[{"text": "…", "callback_data": data}]]}
    return update


def conversation(person: Updates) -> list[dict[str, Any]]:
    """Every update of one nomination, from /decu to the reference, as a person taps and types it."""
    return [
        person.text("/decu"),
        press(person, "nominate:kind:individual"),
        person.text("Nguyễn Thị Mười"),
        person.text("thap muoi"),
        press(person, "nominate:category:PT08"),
        person.text(DEED),
        press(person, "nominate:evidence:skip"),
        person.text("Lê Văn Hai"),
        person.contact("0912345678"),
        press(person, "nominate:consent:agree"),
        press(person, "nominate:_summary:submit"),
    ]


class TimedEngine:
    """The app's engine, with the time spent inside it added up."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seconds = 0.0

    async def answer(
        self, incoming: Incoming, fetcher: FileFetcher | None = None, *, inbox_id: int | None = None
    ) -> Outcome:
        started = time.perf_counter()
        try:
            return await self.engine.answer(incoming, fetcher, inbox_id=inbox_id)
        finally:
            self.seconds += time.perf_counter() - started


async def feed(application: TelegramApp, updates: list[dict[str, Any]]) -> float:
    parsed = [as_update(u, application.bot) for u in updates]
    watch = Stopwatch()
    for update in parsed:
        await application.process_update(update)
    return watch.seconds


async def echo(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if isinstance(update, Update) and update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, "echo")


async def measure(conversations: int = CONVERSATIONS, rounds: int = ROUNDS) -> dict[str, float]:
    """Rounds alternate echo, bot, echo, bot…, each with `conversations` people who have not written before;
    the rates are the medians of the rounds."""
    bare_fake = FakeTelegram()
    bare: TelegramApp = ApplicationBuilder().token(TOKEN).request(bare_fake).get_updates_request(bare_fake).build()
    bare.add_handler(TypeHandler(Update, echo))
    await bare.initialize()
    bare_times: list[float] = []
    bot_times: list[float] = []
    with scratch_dir("bench-telegram-") as folder:
        settings = Settings.model_validate(
            {
                "database_url": f"sqlite:///{folder / 'thidua.db'}",
                "data_dir": folder / "data",
                "campaign_file": ROOT / "config" / "dong-thap-2023.yaml",
                "telegram_bot_token": TOKEN,
            }
        )
        app = await build_app(settings)
        timed = TimedEngine(app.engine)
        app.engine = timed  # type: ignore[assignment]
        fake = FakeTelegram()
        application = build_application(app, fake)
        await application.initialize()
        for number in range(rounds):
            people = [Updates(user_id=10_000 + number * conversations + i) for i in range(conversations)]
            updates = [u for person in people for u in conversation(person)]
            bare_times.append(await feed(bare, updates))
            bot_times.append(await feed(application, updates))
        rows = await app.db.conn.execute_fetchall("SELECT COUNT(*) FROM nominations WHERE nominator_phone IS NOT NULL")
        await application.shutdown()
        await app.close()
    await bare.shutdown()
    committed = next(iter(rows))[0]
    assert committed == conversations * rounds, f"only {committed} of {conversations * rounds} nominations committed"
    updates_count = len(updates) * rounds
    bot_seconds, bare_seconds = statistics.median(bot_times), statistics.median(bare_times)
    calls = len(fake.calls) - len(fake.of("getMe"))
    return {
        "bot": conversations / bot_seconds,
        "bare": conversations / bare_seconds,
        "updates": float(len(updates)),
        "seconds": bot_seconds,
        "engine_ms": 1000 * timed.seconds / updates_count,
        "telegram_ms": 1000 * (sum(bot_times) - timed.seconds) / updates_count,
        "bare_ms": 1000 * bare_seconds / len(updates),
        "calls": calls / updates_count,
        "bare_calls": (len(bare_fake.calls) - len(bare_fake.of("getMe"))) / updates_count,
    }


def main() -> None:
    figures = asyncio.run(measure())
    ratio = figures["bot"] / figures["bare"]
    report(
        f"Telegram: {ROUNDS} alternating rounds of {CONVERSATIONS} complete nominations"
        f" ({int(figures['updates'])} updates each, fed one after another), medians",
        [
            ("thidua-bot", f"{figures['bot']:.1f} nominations/s ({figures['seconds']:.2f} s a round)"),
            ("bare echo Application", f"{figures['bare']:.1f} nominations/s (same updates)"),
            ("ratio (target >= 0.5)", f"{ratio:.2f}"),
            ("per update: engine", f"{figures['engine_ms']:.2f} ms (SQLite transaction and conversation)"),
            ("per update: Telegram side", f"{figures['telegram_ms']:.2f} ms ({figures['calls']:.1f} Bot API calls)"),
            ("per update: bare echo", f"{figures['bare_ms']:.2f} ms ({figures['bare_calls']:.1f} Bot API calls)"),
        ],
    )
    record("nominations/s", figures["bot"], "/s", digits=1)
    # The long-run goal against the echo; the crash-safe ConversationHandler baseline is not benched yet.
    record("ratio to the bare echo", ratio, at_least=0.5)


if __name__ == "__main__":
    main()
