"""`outbox status` and `outbox requeue-uncertain`: what the bot sent on its own, and what it could not."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Mapping
from typing import Any

from bot.app import App
from bot.channels.registry import CHANNELS
from bot.cli.base import add_command
from bot.conversation.delivery import Sender
from bot.outbox.quiet_hours import quiet_hours_hold
from bot.outbox.worker import OutboxWorker
from bot.storage.outbox import OutboxEntry, OutboxRepo

STATUSES = ("queued", "sending", "sent", "failed", "uncertain")


def outbox_worker(app: App, senders: Mapping[str, Sender]) -> OutboxWorker:
    """The worker as the settings and the campaign configure it."""
    return OutboxWorker(
        app.db,
        senders,
        app.services.clock,
        CHANNELS.limits(app.settings),
        hold=quiet_hours_hold(app.services.campaign),
        group_chat=app.services.channels.is_group_chat,
        give_up_after=dt.timedelta(hours=app.settings.outbox_give_up_hours),
    )


def _local(app: App, moment: dt.datetime) -> str:
    return f"{moment.astimezone(app.services.campaign.campaign.tz):%Y-%m-%d %H:%M}"


def _line(app: App, entry: OutboxEntry) -> str:
    when = _local(app, entry.claimed_at or entry.created_at)
    return f"    #{entry.id} {entry.kind} to {entry.channel}:{entry.chat_id} ({when}) {entry.last_error or ''}".rstrip()


async def status(app: App, args: argparse.Namespace) -> int:
    async with app.db.reading() as conn:
        found = await OutboxRepo(conn).status()
    if not found.counts:
        print("the outbox is empty")
        return 0
    for name in STATUSES:
        print(f"{name:>10}: {found.counts.get(name, 0)}")
    for channel, counts in sorted(found.by_channel.items()):
        print(f"  {channel}: " + ", ".join(f"{counts[name]} {name}" for name in STATUSES if name in counts))
    tz = app.services.campaign.campaign.tz
    if found.oldest_pending is not None:
        print(f"oldest pending since {_local(app, found.oldest_pending)} ({tz})")
    if found.uncertain:
        print("uncertain (the send failed after it may have reached the messenger, or the process stopped while")
        print("sending; they may or may not have arrived):")
        print("\n".join(_line(app, entry) for entry in found.uncertain))
        print("  `python -m bot outbox requeue-uncertain` sends them again, marked as a possible repeat")
    if found.failed:
        print("failed, latest first (not retried):")
        print("\n".join(_line(app, entry) for entry in found.failed))
    return 0


async def requeue_uncertain(app: App, args: argparse.Namespace) -> int:
    catalog = app.services.catalog
    async with app.db.transaction() as conn:
        count = await OutboxRepo(conn).requeue_uncertain(
            app.services.clock.now(), lambda lang: catalog.t(lang, "outbox.maybe_repeated")
        )
    print(f"{count} uncertain message(s) queued again, each saying it may be a repeat")
    return 0


def register(subparsers: Any) -> None:
    outbox = subparsers.add_parser("outbox", help="the queue of messages the bot sends on its own")
    commands = outbox.add_subparsers(dest="outbox_command", metavar="ACTION", required=True)
    add_command(commands, "status", status, help="queued, sent, failed and uncertain counts, and the oldest pending")
    add_command(
        commands,
        "requeue-uncertain",
        requeue_uncertain,
        help="send again the messages a stopped process may or may not have sent",
    )
