"""Every channel the bot has, by name. Adding a messenger is adding it here (with its package beside)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from bot.channels.channel import Channel, Messenger
from bot.channels.telegram.channel import Telegram
from bot.channels.terminal import Terminal
from bot.channels.zalo.channel import Zalo
from bot.domain.message_size import MessageSize, utf16_length
from bot.outbox.limits import ChannelLimits

if TYPE_CHECKING:
    from bot.settings import Settings

# A name no channel has (the settings accept none, a row written by hand might): counted as Telegram counts.
UNLISTED = MessageSize(4096, utf16_length)


class Registry:
    """The channels by name. The layers below the channels get it as their ChannelFacts (bot.app)."""

    def __init__(self, messengers: Iterable[Messenger], others: Iterable[Channel] = ()) -> None:
        # In the order `run` starts them.
        self.messengers = tuple(messengers)
        self.channels: dict[str, Channel] = {channel.name: channel for channel in (*self.messengers, *others)}

    def size_of(self, channel: str) -> MessageSize:
        found = self.channels.get(channel)
        return found.size if found is not None else UNLISTED

    def is_group_chat(self, channel: str, chat_id: str) -> bool:
        found = self.channels.get(channel)
        return found is not None and found.is_group_chat(chat_id)

    def limits(self, settings: Settings) -> dict[str, ChannelLimits]:
        """The outbox's rate limits for each messenger (a channel not listed gets the outbox's defaults)."""
        return {messenger.name: messenger.limits(settings) for messenger in self.messengers}

    def configured(self, settings: Settings) -> list[Messenger]:
        """The messengers the settings ask for."""
        return [messenger for messenger in self.messengers if messenger.configured(settings)]


CHANNELS = Registry([Telegram(), Zalo()], [Terminal()])
