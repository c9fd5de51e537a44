"""A time of day as a campaign file writes it: "HH:MM" in quotes.

YAML 1.1 reads an unquoted 21:00 as the base-60 number 1260, and pydantic would take a number as seconds
since midnight with a UTC offset attached: a time that cannot be compared with the naive local times the
planners use. Only text that reads as a time (or a time already made) is accepted.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator

_HH_MM = re.compile(r"(\d{1,2}):(\d{2})")


def _time_of_day(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        if value.tzinfo is not None:
            raise ValueError('a time of day here has no time zone: write it as "HH:MM" (the campaign\'s own)')
        return value
    if isinstance(value, int | float):
        hint = ""
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
            # What YAML made of an unquoted HH:MM, shown back as the operator wrote it.
            hours, minutes = divmod(value, 60)
            hint = f' (unquoted, {hours}:{minutes:02d} reads as the number {value}: write "{hours:02d}:{minutes:02d}")'
        raise ValueError(f'a time of day must be written in quotes as "HH:MM", e.g. "21:00"{hint}')
    if not isinstance(value, str):
        raise ValueError('a time of day must be written in quotes as "HH:MM", e.g. "21:00"')
    match = _HH_MM.fullmatch(value.strip())
    if match is None or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError(f'{value!r} is not a time of day: write "HH:MM" from "00:00" to "23:59"')
    return dt.time(int(match[1]), int(match[2]))


TimeOfDay = Annotated[dt.time, BeforeValidator(_time_of_day)]
