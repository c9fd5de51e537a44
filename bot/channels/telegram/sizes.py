"""What one Telegram message holds. Its own module so that rendering and the channel's facts both read it
while the channel starts the runner, which renders."""

from __future__ import annotations

from bot.domain.message_size import MessageSize, utf16_length

# Telegram counts its limits in UTF-16 code units, where an emoji outside the BMP takes two.
MESSAGE = MessageSize(4096, utf16_length)
CAPTION = MessageSize(1024, utf16_length)
