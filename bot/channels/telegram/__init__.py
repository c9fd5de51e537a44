"""The Telegram channel, on python-telegram-bot 22."""

from bot.conversation.channel_names import TELEGRAM

CHANNEL = TELEGRAM
