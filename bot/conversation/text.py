"""The cleaning every text gets at the door, whatever brought it: a messenger (Incoming cleans its fields as
it is made), the CSV unit import, a file written for the secretariat.

What comes out is NFC, holds no control characters but line breaks and tabs, and no lone surrogates: nothing
downstream (a Word file's XML, a log line, a reply) meets them. The rules that say what is wrong with a name,
a deed or a phone number are the domain's (bot.domain.input_text).
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
