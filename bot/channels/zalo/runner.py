"""Serving Zalo until cancelled: long polling by default, a webhook when ZALO_WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import functools
import logging
from dataclasses import dataclass
from urllib.parse import urlparse

import httpx

from bot.app import App
from bot.channels.webhook import WebhookServer
from bot.channels.zalo import CHANNEL
from bot.channels.zalo.client import POLL_TIMEOUT, UNAUTHORIZED, ZaloApiError, ZaloClient, ZaloError
from bot.channels.zalo.inbox import Inbox
from bot.channels.zalo.language import Languages
from bot.channels.zalo.poller import Poller
from bot.channels.zalo.published import PublishedFiles
from bot.channels.zalo.retry import RetryPolicy, with_retries
from bot.channels.zalo.sender import ZaloSender
from bot.channels.zalo.webhook import zalo_webhook
from bot.errors import StartupError

log = logging.getLogger(__name__)


# In the data folder (DATA_DIR): what every process has published for sendPhoto.
PUBLISHED_FOLDER = "zalo-published"


class ZaloConfigError(StartupError):
    pass


@dataclass
class ZaloChannel:
    """The running channel; stop it with stop_zalo."""

    client: ZaloClient
    inbox: Inbox
    sender: ZaloSender
    inbox_task: asyncio.Task[None] | None = None
    poller: Poller | None = None
    poller_task: asyncio.Task[None] | None = None
    webhook: WebhookServer | None = None


def webhook_secret(app: App) -> str:
    settings = app.settings
    secret = settings.zalo_webhook_secret.get_secret_value() if settings.zalo_webhook_secret else ""
    if not secret:
        raise ZaloConfigError(
            "ZALO_WEBHOOK_URL is set but ZALO_WEBHOOK_SECRET is empty: a webhook without a secret would accept "
            "updates from anyone. Set a random secret of 8 to 256 characters."
        )
    if not 8 <= len(secret) <= 256:
        raise ZaloConfigError("ZALO_WEBHOOK_SECRET must be 8 to 256 characters long (Zalo's rule for setWebhook).")
    return secret


def languages(app: App) -> Languages:
    """People's languages as the engine reports them, and as it reads them for someone not heard from."""
    return Languages(functools.partial(app.engine.language_of, CHANNEL))


def zalo_sender(app: App, client: ZaloClient, languages: Languages) -> ZaloSender:
    """The sender, as the running channel and a sender on its own (`reminders run`) both build it: with a
    webhook, images are published for sendPhoto at the webhook's address."""
    url = app.settings.zalo_webhook_url
    published = PublishedFiles(url, app.services.clock, app.settings.data_dir / PUBLISHED_FOLDER) if url else None
    return ZaloSender(client, app.services.catalog, languages.of, published)


def standalone_sender(app: App) -> ZaloSender:
    """A sender that receives nothing: the running bot, if any, keeps its own connections. The caller closes
    its client."""
    settings = app.settings
    token = settings.zalo_bot_token.get_secret_value() if settings.zalo_bot_token else ""
    if not token:
        raise ZaloConfigError("ZALO_BOT_TOKEN is not set")
    return zalo_sender(app, ZaloClient(token, settings.zalo_api_base_url), languages(app))


async def start_zalo(
    app: App,
    *,
    http: httpx.AsyncClient | None = None,
    policy: RetryPolicy | None = None,
    request_timeout: float = 10.0,
    poll_timeout: int = POLL_TIMEOUT,
    poll_pause: float = 1.0,
) -> ZaloChannel:
    """Check the token, register the sender, and start receiving updates (webhook or long polling)."""
    settings = app.settings
    token = settings.zalo_bot_token.get_secret_value() if settings.zalo_bot_token else ""
    if not token:
        raise ZaloConfigError("ZALO_BOT_TOKEN is not set")
    webhook_url = settings.zalo_webhook_url
    secret = webhook_secret(app) if webhook_url else ""
    policy = policy or RetryPolicy()
    client = ZaloClient(
        token, settings.zalo_api_base_url, timeout=request_timeout, poll_timeout=poll_timeout, http=http
    )
    try:
        me = await with_retries(client.get_me, policy)
        log.info("zalo: connected as %s", me.get("account_name") or me.get("name") or me.get("id") or "the bot")
    except ZaloApiError as exc:
        if exc.error_code == UNAUTHORIZED:
            await client.aclose()
            raise ZaloConfigError("Zalo refused ZALO_BOT_TOKEN (401 Unauthorized): check the token.") from None
        log.warning("zalo: getMe failed (%s); carrying on", exc)
    except ZaloError as exc:
        log.warning("zalo: getMe failed (%s); carrying on", exc)

    known = languages(app)
    sender = zalo_sender(app, client, known)
    inbox = Inbox(app.engine, client, sender, known, policy)
    # Updates kept by an earlier process and not yet answered go first.
    channel = ZaloChannel(client=client, inbox=inbox, sender=sender)
    channel.inbox_task = asyncio.create_task(inbox.run(), name="zalo-inbox")
    if webhook_url:
        server = zalo_webhook(
            urlparse(webhook_url).path or "/",
            secret,
            inbox.keep_body,
            sender.published,
            settings.zalo_webhook_listen,
            settings.zalo_webhook_port,
        )
        try:
            server.start()
        except OSError as exc:
            await stop_zalo(app, channel)
            raise ZaloConfigError(
                f"cannot listen on {settings.zalo_webhook_listen}:{settings.zalo_webhook_port} for the Zalo "
                f"webhook ({exc.strerror or exc}); check ZALO_WEBHOOK_LISTEN and ZALO_WEBHOOK_PORT."
            ) from None
        channel.webhook = server
        try:
            await with_retries(lambda: client.set_webhook(webhook_url, secret), policy)
        except ZaloError as exc:
            await stop_zalo(app, channel)
            raise ZaloConfigError(f"setting the Zalo webhook failed ({exc}); check ZALO_WEBHOOK_URL.") from None
        log.info("zalo: webhook on %s:%s", settings.zalo_webhook_listen, server.port)
    else:
        try:
            # getUpdates answers nothing while a webhook is set, e.g. one left from an earlier deployment.
            await with_retries(client.delete_webhook, policy)
        except ZaloError as exc:
            log.warning("zalo: deleteWebhook failed (%s); polling anyway", exc)
        channel.poller = Poller(client, inbox, base_delay=poll_pause)
        channel.poller_task = asyncio.create_task(channel.poller.run(), name="zalo-poller")
        log.info("zalo: long polling")
    app.senders[CHANNEL] = sender
    return channel


async def stop_zalo(app: App, channel: ZaloChannel) -> None:
    if app.senders.get(CHANNEL) is channel.sender:
        del app.senders[CHANNEL]
    if channel.poller_task is not None:
        channel.poller_task.cancel()
        await asyncio.gather(channel.poller_task, return_exceptions=True)
    if channel.webhook is not None:
        await channel.webhook.stop()
    if channel.inbox_task is not None:
        channel.inbox_task.cancel()
        await asyncio.gather(channel.inbox_task, return_exceptions=True)
    await channel.inbox.close()
    await channel.client.aclose()


async def run_zalo(app: App) -> None:
    channel = await start_zalo(app)
    try:
        if channel.poller_task is not None:
            # The poller runs until cancelled; should it ever end otherwise, the channel ends with it, loudly.
            await channel.poller_task
        else:
            await asyncio.Event().wait()
    finally:
        await stop_zalo(app, channel)
