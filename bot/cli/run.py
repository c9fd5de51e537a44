"""`run`: every messenger with a token, plus the background workers, in one process."""

from __future__ import annotations

import argparse
import asyncio
import gc
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TextIO

from bot.app import App, sweep_staged_files
from bot.channels.console import ConsoleMailbox, run_console
from bot.channels.registry import CHANNELS
from bot.channels.terminal import CHANNEL as CONSOLE
from bot.cli.base import add_command
from bot.cli.config import check_channels
from bot.cli.outbox import outbox_worker
from bot.errors import StartupError

log = logging.getLogger(__name__)

Runner = Callable[[App], Coroutine[Any, Any, None]]


def messenger_runners(app: App) -> list[tuple[str, Runner]]:
    """The messengers configured in the settings, each a coroutine that serves until cancelled."""
    return [(messenger.name, messenger.serve) for messenger in CHANNELS.configured(app.settings)]


def background_runners(app: App) -> list[tuple[str, Runner]]:
    """Workers that run beside the messengers: the outbox, the reminder planner that feeds it, and the desk in
    a browser (WEB_ENABLED)."""
    # app.senders is the registry each channel fills when it starts: the worker gives a channel its lane then.
    worker = outbox_worker(app, app.senders)

    async def outbox(app: App) -> None:
        await worker.run()

    async def reminders(app: App) -> None:
        from bot.scheduler import build_scheduler  # APScheduler: only the running bot plans reminders

        scheduler = build_scheduler(app.db, app.services, worker.wake)
        scheduler.start()
        try:
            await asyncio.Event().wait()
        finally:
            scheduler.shutdown(wait=False)

    runners: list[tuple[str, Runner]] = [("outbox", outbox), ("reminders", reminders)]
    if app.settings.web_enabled:
        from bot.web.server import serve_web

        runners.append(("web", serve_web))
    return runners


RESTART_FIRST = 5.0
RESTART_MAX = 300.0


async def supervised(name: str, runner: Runner, app: App, *, first: float = RESTART_FIRST) -> None:
    """Run one part, starting it again after a crash so that one messenger failing (its API down for an hour,
    say) never takes the others down with it. A configuration error (StartupError) is not retried: it stops
    the process, with its message, because no restart can fix it."""
    delay = first
    while True:
        try:
            await runner(app)
            log.warning("%s stopped by itself; starting it again", name)
        except (asyncio.CancelledError, StartupError):
            raise
        except Exception:
            log.exception("%s failed; starting it again in %.0f s", name, delay)
        await asyncio.sleep(delay)
        delay = min(RESTART_MAX, delay * 2)


async def run_terminal(
    app: App,
    user: str,
    name: str | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    poll: float = 1.0,
) -> None:
    """The whole bot with the chat in this terminal: the outbox, the reminders and the digests run beside the
    chat, and what they send to terminal users waits in their mailboxes (this user's is shown as it comes)."""
    mailbox = app.senders.setdefault(CONSOLE, ConsoleMailbox(app.db, app.services.clock))
    assert isinstance(mailbox, ConsoleMailbox)
    tasks = [asyncio.create_task(supervised(part, runner, app), name=part) for part, runner in background_runners(app)]
    try:
        await run_console(app.engine, user, name, stdin, stdout, mailbox=mailbox, poll=poll)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def run(app: App, args: argparse.Namespace) -> int:
    check_channels(app)
    await sweep_staged_files(app)
    # What start-up made (modules, pydantic's schemas, the campaign, the catalogs) lives as long as the process:
    # kept out of the collector's full passes, which would otherwise walk it all (some 100,000 objects, about
    # 150 ms on a small machine) every few thousand updates, in the middle of one of them.
    gc.collect()
    gc.freeze()
    # Terminal users get what the bot sends on its own whatever else runs: into their mailbox.
    app.senders[CONSOLE] = ConsoleMailbox(app.db, app.services.clock)
    messengers = messenger_runners(app)
    if not messengers:
        print(
            "No messenger token is set (see .env.example): the whole bot runs here (outbox, reminders, digests),"
            f" with the chat in this terminal as user {args.user}; other terminal users: python -m bot chat --user N",
            file=sys.stderr,
        )
        await run_terminal(app, args.user, args.name)
        return 0
    tasks = [
        asyncio.create_task(supervised(name, runner, app), name=name)
        for name, runner in messengers + background_runners(app)
    ]
    log.info("running: %s", ", ".join(task.get_name() for task in tasks))
    polling = [messenger.title for messenger in CHANNELS.configured(app.settings) if messenger.polls(app.settings)]
    if polling and app.db.engine == "postgresql":
        # A messenger hands each long-polled update to one poller: a second worker polling would take updates
        # from the first. Several workers are for webhooks behind a load balancer.
        log.warning("%s by long polling: run one worker only, or set a webhook to run several", " and ".join(polling))
    try:
        done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in done:
            task.result()
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return 0


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "run",
        run,
        help="run the bot on every messenger with a token set; with none, the whole bot with its chat in this terminal",
        description="Run the bot. With TELEGRAM_BOT_TOKEN set it serves Telegram (long polling, or a webhook "
        "when TELEGRAM_WEBHOOK_URL is set); with ZALO_BOT_TOKEN set it serves Zalo (long polling, or a webhook "
        "when ZALO_WEBHOOK_URL is set); both at once when both are set, with the outbox worker and the reminder "
        "and digest schedules beside them. With no token the whole bot runs with its chat in this terminal.",
    )
    parser.add_argument("--user", default="1001", help="with no token: who you are in the terminal chat")
    parser.add_argument("--name", default=None, help="with no token: your display name in the terminal chat")
