"""Logging without the bot token: it is part of every Bot API URL, and whoever holds it is the bot."""

from __future__ import annotations

import logging
import traceback
from urllib.parse import quote

from telegram import Update
from telegram.ext import ContextTypes

log = logging.getLogger(__name__)

# python-telegram-bot's loggers that report failed requests and polling errors, and httpx, which logs URLs.
LOGGERS = (
    "telegram",
    "telegram.Bot",
    "telegram.ext",
    "telegram.ext.ExtBot",
    "telegram.ext.Application",
    "telegram.ext.Updater",
    "telegram.request.BaseRequest",
    "telegram.request.HTTPXRequest",
    "httpx",
)
OUR_LOGGERS = "bot.channels.telegram"
HIDDEN = "<token>"


class TokenFilter(logging.Filter):
    """Renders a record's message and traceback with the token blotted out."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        # File URLs carry it percent-encoded ("123%3AABC").
        self.forms = [form for form in {token, quote(token, safe="")} if form]

    def redact(self, text: str) -> str:
        for form in self.forms:
            text = text.replace(form, HIDDEN)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            text = "".join(traceback.format_exception(record.exc_info[1])).rstrip("\n")
            record.exc_text = self.redact(text)
        return True


def guard_loggers(token: str) -> TokenFilter:
    """Put the filter on every logger that may see the token: a logger's filter sees its own records only."""
    token_filter = TokenFilter(token)
    ours = [name for name in logging.root.manager.loggerDict if name.startswith(OUR_LOGGERS)]
    for name in (*LOGGERS, *ours, __name__):
        logger = logging.getLogger(name)
        if not any(isinstance(f, TokenFilter) and f.token == token for f in logger.filters):
            logger.addFilter(token_filter)
    return token_filter


async def log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The Application's error handler: the update is logged by id only (its text is personal data)."""
    update_id = update.update_id if isinstance(update, Update) else None
    log.error("telegram: error while handling update %s", update_id, exc_info=context.error)
