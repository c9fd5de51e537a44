"""The Telegram update path: the same 11-step nomination through thidua-bot, through a crash-safe
python-telegram-bot ConversationHandler written as a developer would, and a bare echo.

All three run python-telegram-bot's real Application on the same in-process fake of the Bot API and are fed
the same updates as Telegram's JSON, one after another; each update's time starts at that JSON.

- **bare echo**: one TypeHandler that sends one message per update.
- **baseline**: PTB's own ConversationHandler, the same steps and the same Bot API calls per update as ours
  (buttons answered and taken off their message, the phone shared with the contact button and its keyboard
  taken away), made crash-safe by an aiosqlite upsert of the state committed at every step, the nomination
  inserted at the end. It has no inbox: an update in flight when it stops is lost.
- **thidua-bot**: the whole path a webhook update takes: kept in the inbox by the transaction that handles it
  and keeps its replies (committed before the webhook is answered), sent, and confirmed sent. SQLite in WAL
  mode on disk.

Rounds alternate echo, baseline, bot, each with people who have not written before; medians.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
import warnings
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiosqlite  # noqa: E402
from telegram import (  # noqa: E402
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.ext import (  # noqa: E402
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    ConversationHandler,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.warnings import PTBUserWarning  # noqa: E402

from bench.common import Stopwatch, record, report, scratch_dir  # noqa: E402
from bot.app import build_app  # noqa: E402
from bot.campaign_loader import load_campaign  # noqa: E402
from bot.channels.telegram.application import TelegramApp, TelegramChannel, build_application  # noqa: E402
from bot.channels.telegram.inbox import arrival_of_body  # noqa: E402
from bot.channels.telegram.runner import inbox_worker  # noqa: E402
from bot.conversation.messages import Incoming  # noqa: E402
from bot.domain.text import fold  # noqa: E402
from bot.engine.engine import Engine, FileFetcher  # noqa: E402
from bot.engine.outcome import Outcome  # noqa: E402
from bot.inbox.worker import InboxWorker  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.storage.inbox import Claim  # noqa: E402
from tests.support.telegram_fake import TOKEN, FakeTelegram, Updates  # noqa: E402

CONVERSATIONS = 20
ROUNDS = 9
CAMPAIGN = ROOT / "config" / "dong-thap-2023.yaml"
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


# -- the bare echo -----------------------------------------------------------------------------------------


async def echo(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if isinstance(update, Update) and update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, "echo")


# -- the baseline: PTB's ConversationHandler, crash-safe by an upsert per step ------------------------------

KIND, NAME, UNIT, CATEGORY, DEED_STEP, EVIDENCE, NOMINATOR, PHONE, CONSENT, SUMMARY = range(10)
NO_KEYBOARD = ReplyKeyboardRemove()


class Baseline:
    """The nomination as a developer writes it on PTB: states as constants, one small callback per step, the
    answers in `user_data`, and the state saved to SQLite and committed before each answer goes out."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self.db = db
        campaign = load_campaign(CAMPAIGN)
        self.units = {fold(unit.name): unit.name for unit in campaign.units}
        self.movements = {m.code: m.name.get("vi") for m in campaign.movements}
        self.category_keyboard = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(name, callback_data=f"nominate:category:{code}")]
                for code, name in self.movements.items()
            ]
        )

    @classmethod
    async def open(cls, path: Path) -> Baseline:
        db = await aiosqlite.connect(path, isolation_level=None)
        await db.execute("PRAGMA journal_mode = WAL")
        await db.execute("PRAGMA synchronous = NORMAL")
        await db.execute(
            "CREATE TABLE conversations (user_id INTEGER PRIMARY KEY, state INTEGER, data TEXT, updated_at REAL)"
        )
        await db.execute(
            "CREATE TABLE nominations (id INTEGER PRIMARY KEY, user_id INTEGER, kind TEXT, name TEXT, unit TEXT,"
            " category TEXT, deed TEXT, nominator TEXT, phone TEXT, created_at REAL)"
        )
        return cls(db)

    async def save(self, user_id: int, state: int, data: dict[str, Any]) -> int:
        await self.db.execute("BEGIN IMMEDIATE")
        await self.db.execute(
            "INSERT INTO conversations (user_id, state, data, updated_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, data = excluded.data,"
            " updated_at = excluded.updated_at",
            (user_id, state, json.dumps(data, ensure_ascii=False), time.time()),
        )
        await self.db.execute("COMMIT")
        return state

    def handler(self) -> ConversationHandler[Any]:
        text = filters.TEXT & ~filters.COMMAND
        with warnings.catch_warnings():
            # per_message=False with button steps is what this conversation wants: one state per person.
            warnings.simplefilter("ignore", PTBUserWarning)
            return ConversationHandler(
                entry_points=[CommandHandler("decu", self.start)],
                states={
                    KIND: [CallbackQueryHandler(self.kind, pattern="^nominate:kind:")],
                    NAME: [MessageHandler(text, self.name)],
                    UNIT: [MessageHandler(text, self.unit)],
                    CATEGORY: [CallbackQueryHandler(self.category, pattern="^nominate:category:")],
                    DEED_STEP: [MessageHandler(text, self.deed)],
                    EVIDENCE: [CallbackQueryHandler(self.evidence, pattern="^nominate:evidence:")],
                    NOMINATOR: [MessageHandler(text, self.nominator)],
                    PHONE: [MessageHandler(filters.CONTACT, self.phone)],
                    CONSENT: [CallbackQueryHandler(self.consent, pattern="^nominate:consent:")],
                    SUMMARY: [CallbackQueryHandler(self.submit, pattern="^nominate:_summary:")],
                },
                fallbacks=[CommandHandler("huy", self.cancel)],
            )

    @staticmethod
    async def _pressed(update: Update) -> str:
        """Answer the press and take the buttons off its message, as the bot does."""
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_reply_markup(reply_markup=None)
        return query.data or ""

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and update.effective_user is not None
        context.user_data.clear()  # type: ignore[union-attr]
        state = await self.save(update.effective_user.id, KIND, {})
        keyboard = InlineKeyboardMarkup(
            [
                [
                    InlineKeyboardButton("👤 Cá nhân", callback_data="nominate:kind:individual"),
                    InlineKeyboardButton("👥 Tập thể", callback_data="nominate:kind:collective"),
                ]
            ]
        )
        await update.message.reply_text(
            "Bắt đầu: Đề cử người tốt, việc tốt. Gõ /huy để hủy.\n\nBước 1/9\n\nBạn đề cử một cá nhân hay một tập thể?",
            reply_markup=keyboard,
        )
        return state

    async def kind(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        data = await self._pressed(update)
        answers: dict[str, Any] = context.user_data  # type: ignore[assignment]
        answers["kind"] = data.rsplit(":", 1)[-1]
        assert update.effective_user is not None and update.effective_chat is not None
        state = await self.save(update.effective_user.id, NAME, answers)
        await context.bot.send_message(
            update.effective_chat.id, "Bước 2/9\n\nHọ và tên đầy đủ của người được đề cử?", reply_markup=NO_KEYBOARD
        )
        return state

    async def _text_step(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, key: str, value: object, state: int
    ) -> int:
        answers: dict[str, Any] = context.user_data  # type: ignore[assignment]
        answers[key] = value
        assert update.effective_user is not None
        return await self.save(update.effective_user.id, state, answers)

    async def name(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and update.message.text is not None
        name = " ".join(update.message.text.split())
        if not 2 <= len(name) <= 120:
            await update.message.reply_text("Họ và tên từ 2 đến 120 ký tự.", reply_markup=NO_KEYBOARD)
            return NAME
        state = await self._text_step(update, context, "name", name, UNIT)
        await update.message.reply_text(
            "Bước 3/9\n\nNgười hoặc tập thể này thuộc đơn vị hay địa phương nào? Gõ một phần tên.",
            reply_markup=NO_KEYBOARD,
        )
        return state

    async def unit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and update.message.text is not None
        typed = fold(update.message.text)
        found = [name for key, name in self.units.items() if typed in key]
        if len(found) != 1:
            await update.message.reply_text("Không tìm thấy đơn vị, hãy gõ lại.", reply_markup=NO_KEYBOARD)
            return UNIT
        state = await self._text_step(update, context, "unit", found[0], CATEGORY)
        await update.message.reply_text(
            "Bước 4/9\n\nViệc tốt này thuộc phong trào thi đua nào?", reply_markup=self.category_keyboard
        )
        return state

    async def category(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        code = (await self._pressed(update)).rsplit(":", 1)[-1]
        state = await self._text_step(update, context, "category", code, DEED_STEP)
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id, "Bước 5/9\n\nHãy kể ngắn gọn việc tốt hoặc thành tích.", reply_markup=NO_KEYBOARD
        )
        return state

    async def deed(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and update.message.text is not None
        deed = update.message.text.strip()
        if not 30 <= len(deed) <= 4000:
            await update.message.reply_text("Từ 30 đến 4000 ký tự.", reply_markup=NO_KEYBOARD)
            return DEED_STEP
        state = await self._text_step(update, context, "deed", deed, EVIDENCE)
        skip = InlineKeyboardMarkup([[InlineKeyboardButton("⏭ Bỏ qua", callback_data="nominate:evidence:skip")]])
        await update.message.reply_text("Bước 6/9\n\nBạn có ảnh hoặc giấy tờ minh chứng không?", reply_markup=skip)
        return state

    async def evidence(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        await self._pressed(update)
        state = await self._text_step(update, context, "evidence", "", NOMINATOR)
        assert update.effective_chat is not None
        anonymous = InlineKeyboardMarkup(
            [[InlineKeyboardButton("🙈 Ẩn danh", callback_data="nominate:nominator:anonymous")]]
        )
        await context.bot.send_message(
            update.effective_chat.id, "Bước 7/9\n\nCòn bạn, người đề cử, tên là gì?", reply_markup=anonymous
        )
        return state

    async def nominator(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and update.message.text is not None
        state = await self._text_step(update, context, "nominator", update.message.text.strip(), PHONE)
        share = ReplyKeyboardMarkup(
            [[KeyboardButton("📱 Chia sẻ số điện thoại của tôi", request_contact=True)]],
            resize_keyboard=True,
            one_time_keyboard=True,
        )
        await update.message.reply_text("Bước 8/9\n\nSố điện thoại di động của bạn?", reply_markup=share)
        return state

    async def phone(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.message is not None and update.message.contact is not None
        digits = "".join(ch for ch in update.message.contact.phone_number if ch.isdigit())
        phone = "+84" + digits[1:] if digits.startswith("0") else "+" + digits
        state = await self._text_step(update, context, "phone", phone, CONSENT)
        await update.message.reply_text(f"Đã lưu: {phone}", reply_markup=NO_KEYBOARD)
        consent = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("✅ Tôi xác nhận", callback_data="nominate:consent:agree")],
                [InlineKeyboardButton("Không", callback_data="nominate:consent:disagree")],
            ]
        )
        await update.message.reply_text(
            "Bước 9/9\n\nBạn xác nhận thông tin trên là đúng sự thật?", reply_markup=consent
        )
        return state

    async def consent(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        await self._pressed(update)
        state = await self._text_step(update, context, "consent", True, SUMMARY)
        answers: dict[str, Any] = context.user_data  # type: ignore[assignment]
        summary = "\n".join(f"• {key}: {value}" for key, value in answers.items())
        buttons = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton("📨 Gửi", callback_data="nominate:_summary:submit")],
                [InlineKeyboardButton("✏️ Sửa", callback_data="nominate:_summary:edit")],
                [InlineKeyboardButton("❌ Hủy", callback_data="nominate:_summary:cancel")],
            ]
        )
        assert update.effective_chat is not None
        await context.bot.send_message(
            update.effective_chat.id, f"Xem lại trước khi gửi\n\n{summary}", reply_markup=buttons
        )
        return state

    async def submit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        await self._pressed(update)
        answers: dict[str, Any] = context.user_data  # type: ignore[assignment]
        assert update.effective_user is not None and update.effective_chat is not None
        user_id = update.effective_user.id
        await self.db.execute("BEGIN IMMEDIATE")
        cursor = await self.db.execute(
            "INSERT INTO nominations (user_id, kind, name, unit, category, deed, nominator, phone, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                user_id,
                answers["kind"],
                answers["name"],
                answers["unit"],
                answers["category"],
                answers["deed"],
                answers["nominator"],
                answers["phone"],
                time.time(),
            ),
        )
        await self.db.execute("DELETE FROM conversations WHERE user_id = ?", (user_id,))
        await self.db.execute("COMMIT")
        reference = f"NTVT-2026-{cursor.lastrowid:06d}"
        await context.bot.send_message(
            update.effective_chat.id,
            f'🎉 Đã nhận đề cử "{answers["name"]}". Mã đề cử của bạn: {reference}',
            reply_markup=NO_KEYBOARD,
        )
        answers.clear()
        return ConversationHandler.END

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> int:
        assert update.effective_user is not None and update.message is not None
        await self.db.execute("BEGIN IMMEDIATE")
        await self.db.execute("DELETE FROM conversations WHERE user_id = ?", (update.effective_user.id,))
        await self.db.execute("COMMIT")
        await update.message.reply_text("Đã hủy.", reply_markup=NO_KEYBOARD)
        return ConversationHandler.END

    async def nominations(self) -> int:
        rows = await self.db.execute_fetchall("SELECT COUNT(*) FROM nominations WHERE phone = '+84912345678'")
        return int(next(iter(rows))[0])


# -- thidua-bot --------------------------------------------------------------------------------------------


class TimedEngine:
    """The app's engine, with the time spent inside it added up."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.seconds = 0.0

    async def answer(
        self,
        incoming: Incoming,
        fetcher: FileFetcher | None = None,
        *,
        inbox_id: int | None = None,
        claim: Claim | None = None,
    ) -> Outcome:
        started = time.perf_counter()
        try:
            return await self.engine.answer(incoming, fetcher, inbox_id=inbox_id, claim=claim)
        finally:
            self.seconds += time.perf_counter() - started


async def feed_ptb(application: TelegramApp, updates: list[dict[str, Any]]) -> float:
    watch = Stopwatch()
    for body in updates:
        await application.process_update(Update.de_json(body, application.bot))
    return watch.seconds


async def feed_bot(inbox: InboxWorker, bot: Bot, updates: list[dict[str, Any]]) -> float:
    """As the webhook does: each update checked, kept and handled; the next one once the worker has nothing
    left of it to do (its replies sent and confirmed), as a person writes again after reading the answer."""
    watch = Stopwatch()
    for body in updates:
        await inbox.keep(arrival_of_body(body, bot))
        await inbox.room(1)
    return watch.seconds


async def measure(conversations: int = CONVERSATIONS, rounds: int = ROUNDS) -> dict[str, float]:
    """Rounds alternate echo, baseline, bot…, each with `conversations` people who have not written before;
    the times are the medians of the rounds."""
    times: dict[str, list[float]] = {"echo": [], "baseline": [], "bot": []}
    with scratch_dir("bench-telegram-") as folder:
        echo_fake = FakeTelegram()
        bare: TelegramApp = ApplicationBuilder().token(TOKEN).request(echo_fake).get_updates_request(echo_fake).build()
        bare.add_handler(TypeHandler(Update, echo))
        await bare.initialize()

        baseline = await Baseline.open(folder / "baseline.db")
        base_fake = FakeTelegram()
        plain: TelegramApp = ApplicationBuilder().token(TOKEN).request(base_fake).get_updates_request(base_fake).build()
        plain.add_handler(baseline.handler())
        await plain.initialize()

        settings = Settings.model_validate(
            {
                "database_url": f"sqlite:///{folder / 'thidua.db'}",
                "data_dir": folder / "data",
                "campaign_file": CAMPAIGN,
                "telegram_bot_token": TOKEN,
            }
        )
        app = await build_app(settings)
        timed = TimedEngine(app.engine)
        app.engine = timed  # type: ignore[assignment]
        fake = FakeTelegram()
        channel = TelegramChannel(app)
        application = build_application(app, fake, channel)
        await application.initialize()
        inbox = inbox_worker(app, channel, application.bot)
        # The worker's own loop runs as in the bot: what it does between updates counts too.
        worker = asyncio.create_task(inbox.run())

        for number in range(rounds):
            base = 10_000 + number * conversations * 3
            batches = {
                name: [u for i in range(conversations) for u in conversation(Updates(user_id=base + offset + i))]
                for offset, name in zip((0, conversations, 2 * conversations), times, strict=True)
            }
            times["echo"].append(await feed_ptb(bare, batches["echo"]))
            times["baseline"].append(await feed_ptb(plain, batches["baseline"]))
            times["bot"].append(await feed_bot(inbox, application.bot, batches["bot"]))
        worker.cancel()
        await asyncio.gather(worker, return_exceptions=True)
        rows = await app.db.conn.execute_fetchall("SELECT COUNT(*) FROM nominations WHERE nominator_phone IS NOT NULL")
        committed = next(iter(rows))[0]
        baseline_committed = await baseline.nominations()
        await application.shutdown()
        await app.close()
        await plain.shutdown()
        await baseline.db.close()
        await bare.shutdown()
    assert committed == conversations * rounds, f"only {committed} of {conversations * rounds} nominations committed"
    assert baseline_committed == conversations * rounds, f"the baseline committed {baseline_committed}"
    per_round = len(batches["bot"])
    total = per_round * rounds

    def calls(fake: FakeTelegram) -> float:
        return (len(fake.calls) - len(fake.of("getMe"))) / total

    base_calls, bot_calls = calls(base_fake), calls(fake)
    assert base_calls == bot_calls, f"the baseline makes {base_calls} Bot API calls an update, the bot {bot_calls}"
    ms = {name: 1000 * statistics.median(found) / per_round for name, found in times.items()}
    return {
        **{f"{name}_ms": value for name, value in ms.items()},
        # Complete nominations a second, as the Zalo bench compares with.
        "bot": conversations / statistics.median(times["bot"]),
        "updates": float(per_round),
        "engine_ms": 1000 * timed.seconds / total,
        "calls": bot_calls,
        "echo_calls": calls(echo_fake),
    }


def main() -> None:
    figures = asyncio.run(measure())
    echo_ms, baseline_ms, bot_ms = figures["echo_ms"], figures["baseline_ms"], figures["bot_ms"]
    to_baseline, to_echo = baseline_ms / bot_ms, echo_ms / bot_ms
    report(
        f"Telegram: {ROUNDS} alternating rounds (echo, baseline, bot) of {CONVERSATIONS} complete nominations"
        f" ({int(figures['updates'])} updates each, fed one after another), medians",
        [
            ("bare echo (one TypeHandler)", f"{echo_ms:.2f} ms/update ({figures['echo_calls']:.1f} Bot API calls)"),
            (
                "crash-safe PTB ConversationHandler",
                f"{baseline_ms:.2f} ms/update ({figures['calls']:.1f} Bot API calls, aiosqlite upsert per step)",
            ),
            ("thidua-bot", f"{bot_ms:.2f} ms/update ({figures['calls']:.1f} Bot API calls, inbox and replies kept)"),
            ("  of which in the engine", f"{figures['engine_ms']:.2f} ms (its transaction and the conversation)"),
            ("bot / baseline (goal >= 1.0)", f"{to_baseline:.2f}"),
            ("bot / echo (long-run goal >= 0.5)", f"{to_echo:.2f}"),
        ],
    )
    record("echo ms/update", echo_ms, "ms")
    record("crash-safe ConversationHandler ms/update", baseline_ms, "ms")
    record("thidua-bot ms/update", bot_ms, "ms")
    record("ratio bot / crash-safe ConversationHandler", to_baseline, at_least=1.0)
    record("ratio bot / bare echo", to_echo, at_least=0.5)


if __name__ == "__main__":
    main()
