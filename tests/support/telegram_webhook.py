"""Telegram by webhook in a test: the bot listens on loopback; the public address is only what setWebhook is
told."""

from __future__ import annotations

from pathlib import Path

from bot.settings import Settings
from tests.support.config import make_settings
from tests.support.telegram_fake import TOKEN

SECRET = "s3cret-Token_value"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
PUBLIC_URL = "https://bot.example.org/telegram/hook"


def webhook_settings(tmp_path: Path, port: int) -> Settings:
    return make_settings(
        tmp_path,
        telegram_bot_token=TOKEN,
        telegram_webhook_url=PUBLIC_URL,
        telegram_webhook_secret=SECRET,
        telegram_webhook_listen="127.0.0.1",
        telegram_webhook_port=port,
    )
