"""Each channel's name, as stored with every user, chat and outbox message. The channels take their names
from here, and so do the settings, which check the chats and people they name before any channel is loaded."""

from __future__ import annotations

TELEGRAM = "telegram"
ZALO = "zalo"
CONSOLE = "console"

# Every channel the bot has (bot/channels/registry.py lists one for each).
CHANNEL_NAMES = (TELEGRAM, ZALO, CONSOLE)
