"""Whole numbers read from text someone typed or a header someone sent.

`str.isdigit` is no guard for `int`: it is true of "²" and "①", which `int` refuses, and `int` refuses more
than 4,300 digits. Decimal digits of any script ("２", "٣") are read as the numbers they are: a phone's
keyboard may type them.
"""

from __future__ import annotations


def whole_number(text: str, max_digits: int = 18) -> int | None:
    """The number `text` spells in decimal digits only (no sign, no spaces), or None."""
    if not text.isdecimal() or len(text) > max_digits:
        return None
    return int(text)
