"""Every text exists in both languages with the same placeholders, and the code names only real keys."""

from __future__ import annotations

import re
from pathlib import Path

from bot.i18n import default_catalog

ROOT = Path(__file__).resolve().parent.parent


def test_both_languages_have_the_same_keys() -> None:
    catalog = default_catalog()
    vi, en = catalog.keys("vi"), catalog.keys("en")
    assert sorted(vi - en) == [] and sorted(en - vi) == []


def test_placeholders_match_between_languages() -> None:
    catalog = default_catalog()
    mismatched = [
        key for key in catalog.keys("vi") if catalog.placeholders("vi", key) != catalog.placeholders("en", key)
    ]
    assert mismatched == []


def test_vietnamese_texts_carry_diacritics() -> None:
    # A catalog typed without diacritics ("Ban muon lam gi?") is hard to read; every Vietnamese sentence
    # of some length should have at least one accented letter.
    catalog = default_catalog()
    bare = [
        key
        for key in catalog.keys("vi")
        if len(catalog.raw("vi", key)) > 25 and re.fullmatch(r"[\x00-\x7f]*", catalog.raw("vi", key))
    ]
    assert bare == []


def test_literal_keys_used_in_code_exist() -> None:
    catalog = default_catalog()
    # Only whole literal keys: a key built from pieces ("flow.nothing_to_" + name) is not checked here.
    pattern = re.compile(r"""\.t\(\s*["']([a-z_]+(?:\.[a-z_0-9]+)+)["']\s*[,)]""")
    missing = []
    for path in (ROOT / "bot").rglob("*.py"):
        for key in pattern.findall(path.read_text(encoding="utf-8")):
            if not catalog.has(key):
                missing.append(f"{path.relative_to(ROOT)}: {key}")
    assert missing == []
