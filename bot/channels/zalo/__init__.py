"""The Zalo channel, on Zalo's Bot API (Zalo Bot Platform): plain HTTP with JSON, no buttons."""

from bot.conversation.channel_names import ZALO

CHANNEL = ZALO
