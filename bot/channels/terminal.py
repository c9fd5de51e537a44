"""The terminal as a channel: its facts. The chat itself is console.py."""

from __future__ import annotations

from bot.conversation.channel_names import CONSOLE
from bot.domain.message_size import MessageSize

CHANNEL = CONSOLE

# A terminal takes text of any length; a long one (a digest) is still cut where Telegram would cut it, so
# that what is tried out in a terminal reads as it will on a phone. Counted in characters, as a terminal
# shows them.
MESSAGE = MessageSize(4096)


class Terminal:
    name = CHANNEL
    size = MESSAGE

    def is_group_chat(self, chat_id: str) -> bool:
        # Each terminal chat is one person's.
        return False
