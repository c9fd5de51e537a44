"""`reminders preview|run` and `outbox status|requeue-uncertain`: what would be sent, and what was."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from bot.app import App
from bot.cli.base import add_command
from bot.clock import FixedClock
from bot.engine.delivery import Sender
from bot.engine.messages import Reply
from bot.outbox.worker import OutboxWorker
from bot.reminders.jobs import escalation_reply, plan_from_db, reminder_reply, run_planner
from bot.storage.outbox import OutboxRepo


def _at(app: App, text: str | None) -> dt.datetime:
    if text is None:
        return app.services.clock.now()
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=app.services.campaign.campaign.tz)
    return moment.astimezone(dt.UTC)


async def preview(app: App, args: argparse.Namespace) -> int:
    at = _at(app, args.at)
    services = app.services
    tz = services.campaign.campaign.tz
    async with app.db.reading() as conn:
        planned = await plan_from_db(conn, services, at)
    print(f"at {at.astimezone(tz):%Y-%m-%d %H:%M} ({tz}):")
    lines = 0
    nobody = [f"{item.unit.code} ({item.period.code})" for item in planned.reminders if not item.unit.representatives]
    for item in planned.reminders:
        for person in item.unit.representatives:
            text = reminder_reply(services, item, person.lang).text.splitlines()[0]
            who = f"{person.channel}:{person.chat_id} ({person.lang})"
            print(f"  {item.period.code} {item.unit.code} {item.step.name} → {who} {text}")
            lines += 1
    for escalation in planned.escalations:
        person = escalation.recipient
        text = escalation_reply(services, escalation).text.splitlines()[0]
        print(f"  {escalation.period.code} {escalation.step.name} → {person.channel}:{person.chat_id} {text}")
        lines += 1
    if nobody:
        print(f"  {len(nobody)} late unit(s) have no registered representative to remind: {', '.join(nobody)}")
    if planned.skipped:
        print(f"  ({len(planned.skipped)} earlier step(s) would be skipped: only the latest missed one is sent)")
    if not lines:
        print("  nothing to send")
    return 0


class PrintSender:
    """For people who use the terminal chat: their messages are printed."""

    channel = "console"

    async def send(self, chat_id: str, reply: Reply) -> None:
        print(f"[to console:{chat_id}] {reply.text}")


async def run(app: App, args: argparse.Namespace) -> int:
    at = _at(app, args.at)
    queued = await run_planner(app.db, app.services, at)
    senders: dict[str, Sender] = {"console": PrintSender()}
    if app.settings.telegram_bot_token is not None:
        from telegram import Bot

        from bot.channels.telegram.sender import TelegramSender

        bot = Bot(app.settings.telegram_bot_token.get_secret_value())
        await bot.initialize()
        senders["telegram"] = TelegramSender(bot)
    worker = OutboxWorker(app.db, senders, FixedClock(at), app.settings.outbox_limits())
    await worker.recover()
    handled = await worker.run_once()
    print(f"{queued} message(s) queued at {at.isoformat()}, {handled} sent or attempted now")
    return 0


async def outbox_status(app: App, args: argparse.Namespace) -> int:
    async with app.db.reading() as conn:
        status = await OutboxRepo(conn).status()
    if not status.counts:
        print("the outbox is empty")
        return 0
    for name in ("queued", "sending", "sent", "failed", "uncertain"):
        print(f"{name:>10}: {status.counts.get(name, 0)}")
    for channel, counts in sorted(status.by_channel.items()):
        print(f"  {channel}: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    if status.oldest_pending is not None:
        tz = app.services.campaign.campaign.tz
        print(f"oldest pending since {status.oldest_pending.astimezone(tz):%Y-%m-%d %H:%M} ({tz})")
    return 0


async def requeue_uncertain(app: App, args: argparse.Namespace) -> int:
    async with app.db.transaction() as conn:
        count = await OutboxRepo(conn).requeue_uncertain(app.services.clock.now())
    print(f"{count} uncertain message(s) queued again; they may reach some people twice")
    return 0


def register(subparsers: Any) -> None:
    reminders = subparsers.add_parser("reminders", help="see or send the reminders due at a moment")
    commands = reminders.add_subparsers(dest="reminders_command", metavar="ACTION", required=True)
    parser = add_command(commands, "preview", preview, help="list what would be sent at a moment, and to whom")
    parser.add_argument("--at", help="ISO time, e.g. 2026-12-03T08:00 (campaign time zone if none given)")
    parser = add_command(commands, "run", run, help="plan and send as if it were that moment")
    parser.add_argument("--at", required=True, help="ISO time, e.g. 2026-12-03T08:00")

    outbox = subparsers.add_parser("outbox", help="the queue of messages the bot sends on its own")
    outbox_commands = outbox.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    add_command(outbox_commands, "status", outbox_status, help="queued, sent, failed and uncertain counts")
    add_command(
        outbox_commands,
        "requeue-uncertain",
        requeue_uncertain,
        help="send again the messages a stopped process may or may not have sent",
    )
