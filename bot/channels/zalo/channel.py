"""Zalo as a channel: its message size, how it is configured, started and stopped, and its sender."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels.channel import OpenSender
from bot.channels.zalo import CHANNEL
from bot.channels.zalo.sizes import MESSAGE
from bot.outbox.limits import ChannelLimits

if TYPE_CHECKING:
    from bot.app import App
    from bot.settings import Settings


class Zalo:
    name = CHANNEL
    title = "Zalo"
    size = MESSAGE

    def is_group_chat(self, chat_id: str) -> bool:
        # The Bot API talks with one person at a time.
        return False

    def configured(self, settings: Settings) -> bool:
        return settings.zalo_bot_token is not None

    def limits(self, settings: Settings) -> ChannelLimits:
        return ChannelLimits(
            per_second=settings.zalo_messages_per_second, per_chat_seconds=settings.zalo_seconds_per_chat
        )

    def polls(self, settings: Settings) -> bool:
        return not settings.zalo_webhook_url

    def check(self, app: App) -> None:
        from bot.channels.zalo.runner import webhook_secret

        if app.settings.zalo_webhook_url:
            webhook_secret(app)

    async def serve(self, app: App) -> None:
        from bot.channels.zalo.runner import run_zalo

        await run_zalo(app)

    async def open_sender(self, app: App) -> OpenSender:
        from bot.channels.zalo.runner import standalone_sender

        sender = standalone_sender(app)
        return OpenSender(sender, sender.client.aclose)
