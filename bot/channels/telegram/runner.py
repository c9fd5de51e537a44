"""Serving Telegram until cancelled: long polling by default, a webhook when TELEGRAM_WEBHOOK_URL is set.

Either way every update is kept in the inbox before Telegram is told it arrived, and handled from there."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass, field
from typing import Any

from telegram import Bot
from telegram.error import InvalidToken
from telegram.request import BaseRequest

from bot.app import App
from bot.channels.telegram import CHANNEL
from bot.channels.telegram.application import ALLOWED_UPDATES, TelegramApp, TelegramChannel, build_application
from bot.channels.telegram.config import TelegramConfigError, Webhook, bot_options, bot_token, webhook
from bot.channels.telegram.inbox import TelegramPoller, arrival_of_body
from bot.channels.telegram.menu import set_command_menu, staff_menus
from bot.channels.telegram.requests import calls_request, get_updates_request
from bot.channels.telegram.sender import TelegramSender
from bot.channels.webhook import WebhookServer, update_route
from bot.inbox.worker import InboxWorker
from bot.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class TelegramRunning:
    """The running channel; stop it with stop_telegram."""

    application: TelegramApp
    channel: TelegramChannel
    inbox: InboxWorker
    tasks: list[asyncio.Task[None]] = field(default_factory=list)
    webhook: WebhookServer | None = None
    poller: TelegramPoller | None = None


def inbox_worker(app: App, channel: TelegramChannel, bot: Bot) -> InboxWorker:
    """The inbox worker for Telegram's updates, handled and answered through `channel`."""
    return InboxWorker(
        app.db,
        CHANNEL,
        app.services.clock,
        functools.partial(channel.handle_kept, bot),
        functools.partial(channel.send_replies, bot),
        handle_new=functools.partial(channel.handle_new, bot),
    )


async def start_telegram(app: App, request: BaseRequest | None = None) -> TelegramRunning:
    """Check the settings and the token, set the command menu, and start receiving updates.
    The caller stops it with stop_telegram."""
    hook = webhook(app.settings)
    channel = TelegramChannel(app)
    application = build_application(app, request, channel)
    try:
        await application.initialize()  # getMe: the token is checked here
    except InvalidToken as error:
        raise TelegramConfigError("Telegram does not accept TELEGRAM_BOT_TOKEN: check it with @BotFather.") from error
    bot = application.bot
    inbox = inbox_worker(app, channel, bot)
    running = TelegramRunning(application, channel, inbox)
    try:
        staff = await staff_menus(app)
        if await set_command_menu(bot, app.services.catalog, staff):
            # Otherwise the first refresh sets the staff menus.
            channel.menus.started_with(staff)
        # Updates kept by an earlier process and not yet handled go first.
        running.tasks.append(asyncio.create_task(inbox.run(), name="telegram-inbox"))
        if hook is not None:
            running.webhook = await _serve_webhook(bot, inbox, hook)
            log.info("telegram: @%s on a webhook, listening on %s:%s", bot.username, hook.listen, running.webhook.port)
        else:
            # getUpdates answers nothing while a webhook is set, e.g. one left from an earlier deployment.
            await bot.delete_webhook()
            running.poller = TelegramPoller(bot, inbox)
            running.tasks.append(asyncio.create_task(running.poller.run(), name="telegram-poller"))
            log.info("telegram: @%s on long polling", bot.username)
        running.tasks.append(asyncio.create_task(channel.menus.keep_up(app, bot), name="telegram-menus"))
    except BaseException:
        await stop_telegram(app, running)
        raise
    app.senders[CHANNEL] = TelegramSender(bot)
    return running


async def _serve_webhook(bot: Bot, inbox: InboxWorker, hook: Webhook) -> WebhookServer:
    async def keep(body: Any) -> None:
        await inbox.keep(arrival_of_body(body, bot))

    server = WebhookServer([update_route(hook.path, SECRET_HEADER, hook.secret, keep)], hook.listen, hook.port)
    try:
        server.start()
    except OSError as exc:
        raise TelegramConfigError(
            f"cannot listen on {hook.listen}:{hook.port} for the Telegram webhook ({exc.strerror or exc}); check "
            "TELEGRAM_WEBHOOK_LISTEN and TELEGRAM_WEBHOOK_PORT."
        ) from None
    try:
        await bot.set_webhook(url=hook.url, secret_token=hook.secret, allowed_updates=ALLOWED_UPDATES)
    except BaseException:
        await server.stop()
        raise
    return server


async def stop_telegram(app: App, running: TelegramRunning) -> None:
    """Stop receiving, let the updates under way finish for a moment, and close the connections."""
    app.senders.pop(CHANNEL, None)
    if running.webhook is not None:
        await running.webhook.stop()
    for task in reversed(running.tasks):
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    await running.application.shutdown()


async def standalone_bot(settings: Settings) -> Bot:
    """A Bot that only sends, on the same Bot API server as the running bot (TELEGRAM_API_BASE_URL), not
    Telegram's by default. The caller shuts it down."""
    bot = Bot(
        bot_token(settings),
        request=calls_request(),
        get_updates_request=get_updates_request(),
        **bot_options(settings),
    )
    await bot.initialize()
    return bot


async def run_telegram(app: App, request: BaseRequest | None = None) -> None:
    """Serve until cancelled, then stop cleanly. A poller that ends by itself (a token revoked) ends it too."""
    running = await start_telegram(app, request)
    try:
        await asyncio.gather(*running.tasks)
    finally:
        await stop_telegram(app, running)
