"""Text rules: folding Vietnamese for search, validating names, lengths and phone numbers."""

from __future__ import annotations

import re
import unicodedata

# "Đ" does not decompose under NFD, so it is mapped by hand.
_EXTRA = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower-case, strip diacritics and collapse spaces: "Tháp  Mười" -> "thap muoi"."""
    decomposed = unicodedata.normalize("NFD", text.translate(_EXTRA))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.lower().split())


def normalize_text(text: str) -> str:
    """NFC form with runs of spaces and tabs collapsed, but line breaks kept."""
    text = unicodedata.normalize("NFC", text)
    lines = [" ".join(line.split()) for line in text.strip().splitlines()]
    return "\n".join(lines).strip()


def letter_count(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch).startswith("L"))


_NAME_ALLOWED_PUNCT = set(" .,-'’()&/\"")


def is_plausible_name(text: str) -> bool:
    """A name of a person or collective: letters in any script, digits and a little punctuation."""
    if letter_count(text) < 2:
        return False
    for ch in text:
        cat = unicodedata.category(ch)
        if cat.startswith(("L", "M", "N")) or ch in _NAME_ALLOWED_PUNCT:
            continue
        return False
    return True


# Vietnamese mobile numbers: 10 digits starting 03, 05, 07, 08 or 09 (after the 2018 renumbering).
_MOBILE = re.compile(r"^0[35789]\d{8}$")


def normalize_vn_mobile(raw: str) -> str | None:
    """ "0912 345 678", "+84 912.345.678", "84912345678" -> "+84912345678"; None if not a VN mobile."""
    digits = re.sub(r"[\s.\-()]", "", raw.strip())
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("84"):
            return None
    if not digits.isdigit():
        return None
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not _MOBILE.match(digits):
        return None
    return "+84" + digits[1:]


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
