"""The rules that say exactly what is wrong with a name, a deed or a phone number.

The text they judge is cleaned already, at the door (bot.conversation.text): NFC, no control characters but
line breaks and tabs, no lone surrogates.
"""

from __future__ import annotations

import re
import unicodedata

# -- names -------------------------------------------------------------------------------------------------
_NAME_PUNCTUATION = frozenset(" .,-'’()&/\"")
NAME_MAX_DIGITS = 4  # "Trường THCS số 2", "Tổ 15": a few digits; a phone number has ten
NAME_MAX_MARKS = 2  # Vietnamese needs at most two marks on a letter; more are stacked decoration


def name_problem(text: str) -> tuple[str, dict[str, str]] | None:
    """What is wrong with a name of a person or a collective, as (reason, values for its message), or None.

    Reasons: "lines", "letters" (fewer than two), "digits" (looks like a phone number), "marks" (stacked
    accents), "symbol" (a character names do not hold, given as `char`).
    """
    if "\n" in text:
        return "lines", {}
    if sum(1 for ch in text if unicodedata.category(ch).startswith("L")) < 2:
        return "letters", {}
    if sum(1 for ch in text if ch.isdigit()) > NAME_MAX_DIGITS:
        return "digits", {}
    run = 0
    for ch in unicodedata.normalize("NFC", text):
        category = unicodedata.category(ch)
        run = run + 1 if category.startswith("M") else 0
        if run > NAME_MAX_MARKS:
            return "marks", {}
        if not category.startswith(("L", "M", "N")) and ch not in _NAME_PUNCTUATION:
            return "symbol", {"char": ch if ch.isprintable() and not ch.isspace() else f"U+{ord(ch):04X}"}
    return None


# -- what someone did --------------------------------------------------------------------------------------
DEED_MIN_LETTERS = 15


def deed_problem(text: str) -> str | None:
    """ "words" when a deed is not told in words (fifty zeros, a row of emoji), else None."""
    letters = sum(1 for ch in text if unicodedata.category(ch).startswith("L"))
    return "words" if letters < DEED_MIN_LETTERS else None


# -- phone numbers -----------------------------------------------------------------------------------------
# What a Vietnamese mobile number looks like inside other text (a message, a log line): +84 or 84 or 0, then
# nine digits, spaced or dotted as people write them.
PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?84|0)[35789](?:[ .]?\d){8}(?!\d)")
_SEPARATORS = re.compile(r"[\s.\-()]")


def phone_problem(raw: str) -> tuple[str, dict[str, str | int]] | None:
    """Why a typed number is not a Vietnamese mobile number, as (reason, values), or None when it may be one.

    Reasons: "minus" (starts with a minus sign), "letters" (words such as "ext" in it), "symbol", "foreign"
    (another country's code), "length" (how many digits), "prefix" (not 03, 05, 07, 08 or 09).
    """
    text = raw.strip()
    if text.startswith(("-", "\u2212")):
        return "minus", {}
    if any(unicodedata.category(ch).startswith("L") for ch in text):
        return "letters", {}
    digits = _SEPARATORS.sub("", text)
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("84"):
            return "foreign", {}
    if not digits.isdigit():
        bad = next(ch for ch in digits if not ch.isdigit())
        return "symbol", {"char": bad if bad.isprintable() else f"U+{ord(bad):04X}"}
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if len(digits) != 10:
        return "length", {"count": len(digits)}
    if digits[:2] not in ("03", "05", "07", "08", "09"):
        return "prefix", {}
    return None
