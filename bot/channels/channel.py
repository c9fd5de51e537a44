"""What a channel owns about its messenger, so that nothing below the channels has to name one.

Every channel (the terminal too) states its name, what one message holds and how its length is counted, and
what a group chat is. A messenger on the network is also configured, checked, started and stopped, and gives
a sender for the outbox, by the same methods whichever messenger it is (as errbot's backends and opsdroid's
connectors are). The registry (registry.py) lists them all: adding a messenger is adding it there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from bot.conversation.delivery import Sender
from bot.domain.message_size import MessageSize
from bot.outbox.limits import ChannelLimits

if TYPE_CHECKING:
    from bot.app import App
    from bot.settings import Settings


@dataclass(frozen=True)
class OpenSender:
    """A sender working on its own, without the channel receiving anything; `close` lets its connections go."""

    sender: Sender
    close: Callable[[], Awaitable[None]]


class Channel(Protocol):
    @property
    def name(self) -> str:
        """As stored with each user, chat and outbox message ("telegram")."""
        ...

    @property
    def size(self) -> MessageSize:
        """What one text message holds, and how its length is counted."""
        ...

    def is_group_chat(self, chat_id: str) -> bool:
        """A chat of many people, which the outbox writes to more slowly than to one person."""
        ...


class Messenger(Channel, Protocol):
    """A channel that talks to a messenger's servers, set up by the settings."""

    @property
    def title(self) -> str:
        """Its name for operators, in log lines."""
        ...

    def configured(self, settings: Settings) -> bool:
        """Whether the settings ask for it (its token is set): `run` serves every one that is."""
        ...

    def limits(self, settings: Settings) -> ChannelLimits:
        """How fast the outbox may write to it, as the settings configure it."""
        ...

    def polls(self, settings: Settings) -> bool:
        """Whether it receives by long polling (the messenger hands each update to one poller) rather than by
        a webhook."""
        ...

    def check(self, app: App) -> None:
        """What it checks before it starts (a webhook needs its secret): raises a StartupError naming the
        setting, before anything starts."""
        ...

    async def serve(self, app: App) -> None:
        """Start receiving (its sender joins app.senders), serve until cancelled, then stop cleanly."""
        ...

    async def open_sender(self, app: App) -> OpenSender:
        """Its sender alone, built as the running channel builds it, for sending from another process while
        the bot runs (`reminders run`)."""
        ...
