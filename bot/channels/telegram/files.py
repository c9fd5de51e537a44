"""Downloading what a Telegram user sent, through the Bot API (or the self-hosted server)."""

from __future__ import annotations

from telegram import Bot

from bot.engine.engine import FileTooLarge
from bot.engine.messages import Attachment


class TelegramFiles:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        if attachment.size is not None and attachment.size > max_bytes:
            raise FileTooLarge(attachment.ref)
        file = await self.bot.get_file(attachment.ref)
        if file.file_size is not None and file.file_size > max_bytes:
            raise FileTooLarge(attachment.ref)
        return bytes(await file.download_as_bytearray())
