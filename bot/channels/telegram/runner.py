"""Serving Telegram until cancelled: long polling by default, a webhook when TELEGRAM_WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import logging

from telegram.error import InvalidToken
from telegram.request import BaseRequest

from bot.app import App
from bot.channels.telegram import CHANNEL
from bot.channels.telegram.application import ALLOWED_UPDATES, TelegramApp, build_application
from bot.channels.telegram.config import TelegramConfigError, webhook
from bot.channels.telegram.menu import set_command_menu
from bot.channels.telegram.sender import TelegramSender

log = logging.getLogger(__name__)


async def start_telegram(app: App, request: BaseRequest | None = None) -> TelegramApp:
    """Check the settings and the token, set the command menu, and start receiving updates.
    The caller stops it with stop_telegram."""
    hook = webhook(app.settings)
    application = build_application(app, request)
    try:
        await application.initialize()  # getMe: the token is checked here
    except InvalidToken as error:
        raise TelegramConfigError("Telegram does not accept TELEGRAM_BOT_TOKEN: check it with @BotFather.") from error
    try:
        await set_command_menu(application.bot, app.services.catalog)
        await application.start()
        updater = application.updater
        assert updater is not None, "the Application is built with an Updater"
        if hook is not None:
            await updater.start_webhook(
                listen=hook.listen,
                port=hook.port,
                url_path=hook.path,
                webhook_url=hook.url,
                secret_token=hook.secret,
                allowed_updates=ALLOWED_UPDATES,
            )
            log.info("telegram: @%s on a webhook, listening on %s:%s", application.bot.username, hook.listen, hook.port)
        else:
            # start_polling deletes any webhook first, so switching back from webhook mode just works.
            await updater.start_polling(allowed_updates=ALLOWED_UPDATES)
            log.info("telegram: @%s on long polling", application.bot.username)
    except BaseException:
        await stop_telegram(app, application)
        raise
    app.senders[CHANNEL] = TelegramSender(application.bot)
    return application


async def stop_telegram(app: App, application: TelegramApp) -> None:
    """Stop receiving, finish the updates already taken, and close the connections."""
    app.senders.pop(CHANNEL, None)
    updater = application.updater
    if updater is not None and updater.running:
        await updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()


async def run_telegram(app: App, request: BaseRequest | None = None) -> None:
    """Serve until cancelled, then stop cleanly."""
    application = await start_telegram(app, request)
    try:
        await asyncio.Event().wait()
    finally:
        await stop_telegram(app, application)
