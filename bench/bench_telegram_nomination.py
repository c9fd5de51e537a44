"""Complete nominations per second through the Telegram channel, against a bare echo bot.

Both run python-telegram-bot's real Application on the same in-process fake of the Bot API and are fed
the same updates. The nomination bot also does everything a real one does: SQLite in WAL mode on disk,
one transaction per update, the session saved after every step, buttons answered and marked.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler  # noqa: E402

from bench.common import Stopwatch, report, scratch_dir  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.channels.telegram.application import TelegramApp, build_application  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.telegram_fake import TOKEN, FakeTelegram, Updates, as_update  # noqa: E402

CONVERSATIONS = 150
DEED = "Chị đã tổ chức lớp học tình thương miễn phí cho trẻ em nghèo trong ấp suốt ba năm liền."


def conversation(person: Updates) -> list[dict[str, Any]]:
    """Every update of one anonymous nomination, from /decu to the reference."""
    return [
        person.text("/decu"),
        person.press("nominate:kind:individual"),
        person.text("Nguyễn Thị Mười"),
        person.text("thap muoi"),
        person.press("nominate:category:PT08"),
        person.text(DEED),
        person.press("nominate:evidence:skip"),
        person.press("nominate:nominator:anonymous"),
        person.press("nominate:consent:agree"),
        person.press("nominate:_summary:submit"),
    ]


async def feed(application: TelegramApp, updates: list[dict[str, Any]]) -> float:
    parsed = [as_update(u, application.bot) for u in updates]
    watch = Stopwatch()
    for update in parsed:
        await application.process_update(update)
    return watch.seconds


async def echo(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if isinstance(update, Update) and update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, "echo")


async def measure(conversations: int = CONVERSATIONS) -> dict[str, float]:
    people = [Updates(user_id=10_000 + i) for i in range(conversations)]
    scripts = [conversation(p) for p in people]
    updates = [u for script in scripts for u in script]

    bare_fake = FakeTelegram()
    bare: TelegramApp = ApplicationBuilder().token(TOKEN).request(bare_fake).get_updates_request(bare_fake).build()
    bare.add_handler(TypeHandler(Update, echo))
    await bare.initialize()
    bare_seconds = await feed(bare, updates)
    await bare.shutdown()

    with scratch_dir("bench-telegram-") as folder:
        settings = Settings.model_validate(
            {
                "database_url": f"sqlite:///{folder / 'thidua.db'}",
                "data_dir": folder / "data",
                "campaign_file": ROOT / "config" / "dong-thap.yaml",
                "telegram_bot_token": TOKEN,
            }
        )
        app = await build_app(settings)
        fake = FakeTelegram()
        application = build_application(app, fake)
        await application.initialize()
        bot_seconds = await feed(application, updates)
        cur = await app.db.conn.execute("SELECT COUNT(*) FROM nominations")
        row = await cur.fetchone()
        await application.shutdown()
        await app.close()
    assert row is not None and row[0] == conversations, f"only {row} nominations were committed"
    return {
        "bot": conversations / bot_seconds,
        "bare": conversations / bare_seconds,
        "updates": float(len(updates)),
        "seconds": bot_seconds,
    }


def main() -> None:
    figures = asyncio.run(measure())
    ratio = figures["bot"] / figures["bare"]
    report(
        f"Telegram: {CONVERSATIONS} complete nominations ({int(figures['updates'])} updates)",
        [
            ("thidua-bot", f"{figures['bot']:.1f} nominations/s ({figures['seconds']:.2f} s)"),
            ("bare echo Application", f"{figures['bare']:.1f} nominations/s (same updates)"),
            ("ratio (target >= 0.5)", f"{ratio:.2f}"),
        ],
    )


if __name__ == "__main__":
    main()
