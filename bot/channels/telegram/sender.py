"""Proactive delivery on Telegram, with Telegram's errors translated for the outbox."""

from __future__ import annotations

import datetime as dt

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.channels.telegram import CHANNEL
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
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
            raise delivery.RetryAfter(seconds, str(exc)) from exc
        except (Forbidden, BadRequest) as exc:
            # Blocked by the user, chat not found, or a request Telegram will refuse the same way again.
            # BadRequest must be caught before TelegramError: in PTB it is a NetworkError.
            raise delivery.PermanentFailure(str(exc)) from exc
        except TelegramError as exc:
            # Timeouts, connection errors and Telegram's 5xx.
            raise delivery.TransientFailure(str(exc)) from exc
