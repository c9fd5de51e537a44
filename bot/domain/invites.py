"""Invite codes: random, easy to read aloud over the phone, stored only as a hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

# No 0/O, 1/I/L: codes are read out over the phone and typed on small keyboards.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 10
MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalize_code(typed: str) -> str:
    return re.sub(r"[\s\-_.]", "", typed).upper()


def hash_code(typed: str) -> str:
    return hashlib.sha256(normalize_code(typed).encode()).hexdigest()


def hint_of(code: str) -> str:
    """Enough of a code to tell codes apart in a list, not enough to use it."""
    return normalize_code(code)[:3] + "…"


def parse_duration(text: str) -> dt.timedelta:
    """ "14d", "12h", "30m" -> a timedelta."""
    match = re.fullmatch(r"\s*(\d+)\s*([dhm])\s*", text)
    if not match:
        raise ValueError(f"not a duration like 14d, 12h or 30m: {text!r}")
    amount, unit = int(match.group(1)), match.group(2)
    return {
        "d": dt.timedelta(days=amount),
        "h": dt.timedelta(hours=amount),
        "m": dt.timedelta(minutes=amount),
    }[unit]


def retry_after(failures: list[dt.datetime], now: dt.datetime) -> dt.timedelta | None:
    """How long a person who typed wrong codes must wait, or None if they may try now."""
    recent = sorted(at for at in failures if now - at < FAILURE_WINDOW)
    if len(recent) < MAX_FAILURES:
        return None
    return recent[-MAX_FAILURES] + FAILURE_WINDOW - now
