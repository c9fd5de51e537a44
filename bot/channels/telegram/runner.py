"""Serving Telegram until cancelled: long polling by default, a webhook when TELEGRAM_WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import urlparse

from telegram import Update
from telegram.request import BaseRequest

from bot.app import App
from bot.channels.telegram.application import TelegramApp, build_application
from bot.channels.telegram.sender import TelegramSender
from bot.errors import StartupError

log = logging.getLogger(__name__)


class WebhookConfigError(StartupError):
    pass


async def start_telegram(app: App, request: BaseRequest | None = None) -> TelegramApp:
    """Initialise, start and begin receiving updates; the caller stops it with stop_telegram."""
    settings = app.settings
    webhook_url = settings.telegram_webhook_url
    secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else ""
    if webhook_url and not secret:
        raise WebhookConfigError(
            "TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is empty: a webhook without a secret "
            "would accept updates from anyone. Set a random secret (letters, digits, _ and -)."
        )
    application = build_application(app, request)
    await application.initialize()
    app.senders[TelegramSender.channel] = TelegramSender(application.bot)
    await application.start()
    updater = application.updater
    assert updater is not None
    if webhook_url:
        await updater.start_webhook(
            listen=settings.telegram_webhook_listen,
            port=settings.telegram_webhook_port,
            url_path=urlparse(webhook_url).path.lstrip("/"),
            webhook_url=webhook_url,
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
        )
        log.info("telegram: webhook on %s:%s", settings.telegram_webhook_listen, settings.telegram_webhook_port)
    else:
        await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        log.info("telegram: long polling")
    return application


async def stop_telegram(app: App, application: TelegramApp) -> None:
    app.senders.pop(TelegramSender.channel, None)
    updater = application.updater
    if updater is not None and updater.running:
        await updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()


async def run_telegram(app: App) -> None:
    application = await start_telegram(app)
    try:
        await asyncio.Event().wait()
    finally:
        await stop_telegram(app, application)
