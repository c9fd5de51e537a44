"""What reaches the log: never a secret, and no one's phone number or words unless an operator asks.

Every log record is made through one record factory, so the redaction holds for every logger and every
handler (a file, the terminal, a test's capture) at every level: the bot tokens and webhook secrets are
always replaced; phone numbers too, unless message tracing is on. Libraries that dump whole requests and
updates at DEBUG (the Bot API calls with each message's text, the database calls with their values) are
kept at INFO unless message tracing is on.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

from bot.domain.input_text import PHONE_IN_TEXT

SECRET = "<secret>"
PHONE = "<phone>"
# Loggers whose DEBUG records carry message text, phone numbers and database values.
PAYLOAD_LOGGERS = ("telegram", "aiosqlite", "psycopg", "httpcore", "hpack", "apscheduler.executors")

Factory = Callable[..., logging.LogRecord]


class Redactor:
    """The record factory: makes each record as before, then rewrites its message and traceback."""

    def __init__(self, secrets: Iterable[str], tracing: bool, make: Factory) -> None:
        forms = {form for secret in secrets if secret for form in (secret, quote(secret, safe=""))}
        # Longest first, so a secret that contains another is replaced whole.
        self.forms = sorted(forms, key=len, reverse=True)
        self.tracing = tracing
        self.make = make

    def redact(self, text: str) -> str:
        for form in self.forms:
            text = text.replace(form, SECRET)
        return text if self.tracing else PHONE_IN_TEXT.sub(PHONE, text)

    def __call__(self, *args: Any, **kwargs: Any) -> logging.LogRecord:
        record = self.make(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: logging reports it itself when it formats the record
            return record
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = self.redact("".join(traceback.format_exception(record.exc_info[1])).rstrip("\n"))
        return record


_installed: Redactor | None = None


def install(secrets: Iterable[str], *, tracing: bool = False) -> Redactor:
    """Make every log record through a Redactor (replacing one installed before)."""
    global _installed
    base = _installed.make if _installed is not None else logging.getLogRecordFactory()
    _installed = Redactor(secrets, tracing, base)
    logging.setLogRecordFactory(_installed)
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if tracing else logging.INFO)
    return _installed


def uninstall() -> None:
    global _installed
    if _installed is not None:
        logging.setLogRecordFactory(_installed.make)
        _installed = None
    for name in PAYLOAD_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
