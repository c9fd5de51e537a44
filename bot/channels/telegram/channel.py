"""Telegram as a channel: its sizes, its group chats, how it is configured, started and stopped, and its
sender. python-telegram-bot is imported only when Telegram is used."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.channel import OpenSender
from bot.channels.telegram import CHANNEL
from bot.channels.telegram.sizes import MESSAGE
from bot.outbox.limits import ChannelLimits

if TYPE_CHECKING:
    from bot.app import App
    from bot.settings import Settings


class Telegram:
    name = CHANNEL
    title = "Telegram"
    size = MESSAGE

    def is_group_chat(self, chat_id: str) -> bool:
        # Telegram's groups and channels have negative ids.
        return chat_id.startswith("-")

    def configured(self, settings: Settings) -> bool:
        return settings.telegram_bot_token is not None

    def limits(self, settings: Settings) -> ChannelLimits:
        return ChannelLimits(
            per_second=settings.telegram_messages_per_second,
            per_chat_seconds=settings.telegram_seconds_per_chat,
            per_group_per_minute=settings.telegram_group_messages_per_minute,
        )

    def polls(self, settings: Settings) -> bool:
        return not settings.telegram_webhook_url

    def check(self, app: App) -> None:
        from bot.channels.telegram.config import webhook

        webhook(app.settings)

    async def serve(self, app: App) -> None:
        from bot.channels.telegram.runner import run_telegram

        await run_telegram(app)

    async def open_sender(self, app: App) -> OpenSender:
        from bot.channels.telegram.runner import standalone_bot
        from bot.channels.telegram.sender import TelegramSender

        bot = await standalone_bot(app.settings)
        return OpenSender(TelegramSender(bot), bot.shutdown)
