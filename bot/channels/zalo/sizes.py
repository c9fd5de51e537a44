"""What one Zalo message holds. Its own module so that rendering and the channel's facts both read it while
the channel starts the runner, which renders."""

from __future__ import annotations

from bot.domain.message_size import MessageSize, utf16_length

# sendMessage takes 1 to 2,000 characters, and so does a photo's caption. Zalo does not say how it counts
# them; counted in UTF-16 code units (as Java and JavaScript count), a text is never too long whichever way
# Zalo counts.
MESSAGE = MessageSize(2000, utf16_length)
