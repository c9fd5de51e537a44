"""The Telegram settings checked before anything starts, with messages that tell the operator what to fix."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from bot.errors import StartupError
from bot.settings import Settings

# Telegram's rule for setWebhook's secret_token.
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")


class TelegramConfigError(StartupError):
    pass


def bot_token(settings: Settings) -> str:
    token = settings.telegram_bot_token.get_secret_value().strip() if settings.telegram_bot_token else ""
    if not token:
        raise TelegramConfigError("TELEGRAM_BOT_TOKEN is not set: ask @BotFather for one (see README.md).")
    return token


def api_root(base_url: str) -> str:
    """The server's root, from "http://localhost:8081" as well as "http://localhost:8081/bot"."""
    return base_url.strip().rstrip("/").removesuffix("/bot")


def bot_options(settings: Settings) -> dict[str, Any]:
    """Where the Bot API is, as python-telegram-bot's Bot takes it: Telegram's own unless
    TELEGRAM_API_BASE_URL names a self-hosted server (and TELEGRAM_LOCAL_MODE says it runs with --local)."""
    options: dict[str, Any] = {}
    if settings.telegram_api_base_url:
        root = api_root(settings.telegram_api_base_url)
        options.update(base_url=f"{root}/bot", base_file_url=f"{root}/file/bot")
    if settings.telegram_local_mode:
        options["local_mode"] = True
    return options


@dataclass(frozen=True)
class Webhook:
    url: str
    secret: str
    listen: str
    port: int

    @property
    def path(self) -> str:
        """The path we serve: the public URL's, so a reverse proxy can pass requests on unchanged."""
        return urlparse(self.url).path.strip("/")


def webhook(settings: Settings) -> Webhook | None:
    """The webhook to serve, or None for long polling. Refuses a webhook that anyone could post to."""
    url = settings.telegram_webhook_url
    if not url:
        return None
    secret = settings.telegram_webhook_secret.get_secret_value() if settings.telegram_webhook_secret else ""
    if not secret:
        raise TelegramConfigError(
            "TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is empty: a webhook without a secret would "
            "accept updates from anyone. Set a random secret of letters, digits, _ and - (up to 256)."
        )
    if not _SECRET.fullmatch(secret):
        raise TelegramConfigError(
            "TELEGRAM_WEBHOOK_SECRET may hold only letters, digits, _ and -, up to 256 of them (Telegram's rule)."
        )
    if urlparse(url).scheme != "https":
        raise TelegramConfigError(f"TELEGRAM_WEBHOOK_URL must be an https:// URL (Telegram calls only those): {url}")
    return Webhook(url, secret, settings.telegram_webhook_listen, settings.telegram_webhook_port)
