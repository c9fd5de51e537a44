"""Downloading what a Telegram user sent, through the Bot API (or a self-hosted Bot API server)."""

from __future__ import annotations

from telegram import Bot
from telegram.error import BadRequest

from bot.conversation.messages import Attachment
from bot.engine.engine import FileTooLarge


class TelegramFiles:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        """The file's bytes, held in memory (the limit is a few MB); FileTooLarge before any download
        when Telegram says the file is bigger than max_bytes."""
        if attachment.size is not None and attachment.size > max_bytes:
            raise FileTooLarge(attachment.ref)
        try:
            file = await self.bot.get_file(attachment.ref)
        except BadRequest as error:
            # The public Bot API hands out files up to 20 MB; a bigger one is refused, not served.
            if "too big" in error.message.lower():
                raise FileTooLarge(attachment.ref) from error
            raise
        if file.file_size is not None and file.file_size > max_bytes:
            raise FileTooLarge(attachment.ref)
        return bytes(await file.download_as_bytearray())
