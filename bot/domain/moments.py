"""The dates an operator may ask about: a campaign runs in this century, and a date far outside it (a typo
such as 0001-01-01 or 9999-12-30) is said back as a mistake, not carried into arithmetic that overflows."""

from __future__ import annotations

import datetime as dt

EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)


def out_of_range(day: dt.date) -> str | None:
    """What is wrong with a day given on the command line, or None when it can be used."""
    if EARLIEST <= day <= LATEST:
        return None
    return f"{day} is outside the dates the bot works with ({EARLIEST} to {LATEST})"
