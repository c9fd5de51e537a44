"""Text as people send it, cleaned once at the door, and the rules that say exactly what is wrong with a name,
a deed or a phone number.

Every messenger hands the engine an Incoming, and the Incoming cleans its text fields as it is made; the CSV
unit import uses the same function. What comes in is then NFC, holds no control characters but line breaks
and tabs, and no lone surrogates: nothing downstream (a Word file's XML, a log line, a reply) meets them.
"""

from __future__ import annotations

import re
import unicodedata

# What is removed: control characters but tab and line feed (carriage returns become line feeds first),
# direction overrides and isolates (they reorder what a reader sees: a name shown backwards, a number
# disguised), and the noncharacters of the first plane, U+FFFE and U+FFFF among them, which XML cannot hold.
# (Those of the other planes are legal XML, and a class holding them makes the pattern fifty times slower.)
_REMOVED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef\ufffe\uffff]")
_SURROGATES = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def _has_surrogates(text: str) -> bool:
    # Encoding is a quick test; a surrogate range in the pattern above would make it ten times slower.
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def clean_text(text: str) -> str:
    """NFC, lone surrogates replaced by U+FFFD, line endings as "\\n", other control characters removed."""
    if text.isascii() and text.isprintable():
        return text  # the common case, left as it is
    if _has_surrogates(text):
        text = _SURROGATES.sub(REPLACEMENT, text)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _REMOVED.sub("", text)
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def has_control_characters(text: str) -> bool:
    """Whether clean_text would remove or replace anything but line endings and the NFC form."""
    return _has_surrogates(text) or _REMOVED.search(text.replace("\r", "")) is not None


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
