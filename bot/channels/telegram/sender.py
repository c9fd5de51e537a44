"""Proactive delivery on Telegram, with Telegram's refusals translated for the outbox."""

from __future__ import annotations

from telegram import Bot
from telegram.error import TelegramError

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.failures import classify
from bot.channels.telegram.render import send_reply
from bot.conversation.messages import Reply


class TelegramSender:
    channel = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, reply: Reply) -> None:
        try:
            await send_reply(self.bot, chat_id, reply)
        except TelegramError as error:
            raise classify(error) from error
