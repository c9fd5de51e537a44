"""`reminders preview|run`: what would be sent at a moment and to whom, and sending it as if it were then."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from bot.app import App
from bot.channels.registry import CHANNELS
from bot.channels.terminal import CHANNEL as CONSOLE
from bot.cli.base import add_command
from bot.cli.outbox import outbox_worker
from bot.conversation.delivery import Sender
from bot.conversation.messages import Reply
from bot.domain.moments import out_of_range
from bot.reminders.jobs import escalation_reply, plan_from_db, reminder_reply, run_planner
from bot.reminders.planner import PlannedReminder
from bot.storage.outbox import OutboxRepo

# How long `reminders run` keeps retrying before it leaves the rest to the running bot.
RUN_RETRIES_FOR = dt.timedelta(minutes=1)

Closer = Callable[[], Awaitable[None]]


def parse_at(app: App, text: str | None) -> dt.datetime:
    """An ISO time; without a zone it is the campaign's local time."""
    if text is None:
        return app.services.clock.now()
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a time; use 2026-12-03T08:00 (or 2026-12-03)") from None
    problem = out_of_range(moment.date())
    if problem is not None:
        raise ValueError(problem)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=app.services.campaign.campaign.tz)
    return moment.astimezone(dt.UTC)


def _label(item: PlannedReminder, today: dt.date) -> str:
    """The step's name, and what it says when it goes out on another day than planned (after downtime, the
    day before's reminder sent on the deadline day says "today is the deadline")."""
    left = (item.period.deadline - today).days
    if item.step.kind == "before" and left != item.step.days and left >= 0:
        return f"{item.step.name}, sent as d-{left}"
    return item.step.name


def _first_line(reply: Reply) -> str:
    return reply.text.splitlines()[0]


async def preview(app: App, args: argparse.Namespace) -> int:
    try:
        at = parse_at(app, args.at)
    except ValueError as exc:
        print(f"error: --at: {exc}")
        return 2
    services = app.services
    campaign = services.campaign
    tz = campaign.campaign.tz
    async with app.db.reading() as conn:
        planned = await plan_from_db(conn, services, at)
    local = at.astimezone(tz)
    print(f"at {local:%Y-%m-%d %H:%M} ({tz}):")
    if campaign.reminders.is_quiet(local.time()):
        resume = campaign.reminders.deliverable(local)
        print(f"  quiet hours: nothing is planned until {resume:%Y-%m-%d %H:%M}")
        return 0
    lines = 0
    for item in planned.reminders:
        for person in item.unit.representatives:
            text = _first_line(reminder_reply(services, item.period, item.unit, planned.today, person.lang))
            who = f"{person.channel}:{person.chat_id} ({person.lang})"
            print(f"  {item.period.code} {item.unit.code} {_label(item, planned.today)} → {who}: {text}")
            lines += 1
    for escalation in planned.escalations:
        person = escalation.recipient
        text = _first_line(escalation_reply(services, escalation, planned.today))
        print(f"  {escalation.period.code} {escalation.step.name} → {person.channel}:{person.chat_id}: {text}")
        lines += 1
    # Late only once the deadline has passed: before it, a unit simply has not reported yet.
    late = [item for item in planned.unreachable if planned.today > item.period.deadline]
    owing = [item for item in planned.unreachable if planned.today <= item.period.deadline]
    for found, what in ((late, "late unit(s)"), (owing, "unit(s) yet to report (the deadline has not passed)")):
        if found:
            nobody = ", ".join(f"{item.unit.code} ({item.period.code})" for item in found)
            print(f"  {len(found)} {what} have no registered representative to remind: {nobody}")
    earlier = len(planned.skipped) - len(planned.unreachable)
    if earlier:
        print(f"  ({earlier} earlier step(s) would be passed over: after downtime only the latest is sent)")
    if not lines:
        print("  nothing to send")
    return 0


class PrintSender:
    """For people who use the terminal chat: their messages are printed."""

    channel = CONSOLE

    async def send(self, chat_id: str, reply: Reply) -> None:
        print(f"[to console:{chat_id}] {reply.text}")
        for number, choice in enumerate(reply.choices, start=1):
            print(f"  {number}. {choice.label}")


async def standalone_senders(app: App) -> tuple[dict[str, Sender], list[Closer]]:
    """A sender for each messenger with a token, built as the running bot builds it, without receiving
    anything: the running bot, if any, keeps its own connections, and the outbox's claims keep the two from
    sending one message twice."""
    senders: dict[str, Sender] = {CONSOLE: PrintSender()}
    closers: list[Closer] = []
    try:
        for messenger in CHANNELS.configured(app.settings):
            opened = await messenger.open_sender(app)
            senders[messenger.name] = opened.sender
            closers.append(opened.close)
    except BaseException:
        for close in closers:
            await close()
        raise
    return senders, closers


async def run(app: App, args: argparse.Namespace) -> int:
    try:
        at = parse_at(app, args.at)
    except ValueError as exc:
        print(f"error: --at: {exc}")
        return 2
    queued = await run_planner(app.db, app.services, at)
    print(f"{queued} message(s) queued as planned at {at.astimezone(app.services.campaign.campaign.tz).isoformat()}")
    senders, closers = await standalone_senders(app)
    try:
        worker = outbox_worker(app, senders)
        await worker.recover()
        attempted = await worker.drain(until=app.services.clock.now() + RUN_RETRIES_FOR)
    finally:
        for close in closers:
            await close()
    async with app.db.reading() as conn:
        left = (await OutboxRepo(conn).status()).counts.get("queued", 0)
    print(f"{attempted} send(s) attempted; {left} message(s) still queued for the running bot")
    return 0


def register(subparsers: Any) -> None:
    reminders = subparsers.add_parser("reminders", help="see or send the reminders due at a moment")
    commands = reminders.add_subparsers(dest="reminders_command", metavar="ACTION", required=True)
    parser = add_command(commands, "preview", preview, help="list what would be sent at a moment, and to whom")
    parser.add_argument("--at", help="ISO time, e.g. 2026-12-03T08:00 (the campaign's time zone if none is given)")
    parser = add_command(
        commands,
        "run",
        run,
        help="plan as if it were that moment and send now",
        description="Plan the reminders due at --at and send them now, on every messenger with a token (people "
        "on the terminal chat see theirs printed). Quiet hours are those of the real time: what they hold stays "
        "queued for the running bot.",
    )
    parser.add_argument("--at", required=True, help="ISO time, e.g. 2026-12-03T08:00")
