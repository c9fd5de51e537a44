"""Proactive delivery on Telegram, with Telegram's refusals translated for the outbox."""

from __future__ import annotations

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError

from bot.channels.telegram import CHANNEL
from bot.channels.telegram.flood import retry_seconds
from bot.channels.telegram.render import send_reply
from bot.engine import delivery
from bot.engine.messages import Reply


class TelegramSender:
    channel = CHANNEL

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def send(self, chat_id: str, reply: Reply) -> None:
        try:
            await send_reply(self.bot, chat_id, reply)
        except RetryAfter as error:
            raise delivery.RetryAfter(retry_seconds(error), str(error)) from error
        except (Forbidden, ChatMigrated) as error:
            # Blocked by the user, a deleted account, or a group that moved to a new id: never again here.
            raise delivery.PermanentFailure(str(error)) from error
        except BadRequest as error:
            # "Chat not found" and every other request Telegram rejects as malformed would be rejected the
            # same way on each retry. Caught before TelegramError: in PTB, BadRequest is a NetworkError.
            raise delivery.PermanentFailure(str(error)) from error
        except TelegramError as error:
            # Timeouts, lost connections and Telegram's own 5xx.
            raise delivery.TransientFailure(str(error)) from error
