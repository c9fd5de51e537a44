"""Every text exists in both languages with the same placeholders, and the code names only real keys."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.i18n import Catalog, default_catalog

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


def _keys_in_code() -> list[tuple[str, str | re.Pattern[str]]]:
    """Every key the code hands to a `t(...)` call, where it is written out: a literal (`ctx.t("a.b")`,
    `catalog.t(lang, "a.b")`) or an f-string (`t(lang, f"status.{state}")`), whose fields may stand for any
    part of a key. The templates' `t("a.b")` too."""
    found: list[tuple[str, str | re.Pattern[str]]] = []
    for path in sorted((ROOT / "bot").rglob("*.py")):
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
            if name != "t" or not node.args:
                continue
            # t(key, ...) or t(lang, key, ...): the key is the first argument written as a string.
            key = next((a for a in node.args[:2] if isinstance(a, ast.Constant | ast.JoinedStr)), None)
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                found.append((f"{where}:{node.lineno}", key.value))
            elif isinstance(key, ast.JoinedStr):
                parts = [
                    re.escape(str(v.value)) if isinstance(v, ast.Constant) else r"[A-Za-z0-9_.]+" for v in key.values
                ]
                found.append((f"{where}:{node.lineno}", re.compile("".join(parts))))
    # In a template, `t("status." ~ value)` joins the rest on.
    template_key = re.compile(r"""\bt\(\s*["']([a-z_][a-z_0-9.]*)["']\s*(~)?""")
    for path in sorted((ROOT / "bot").rglob("*.html")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for key, joined in template_key.findall(line):
                found.append(
                    (
                        f"{path.relative_to(ROOT)}:{number}",
                        re.compile(re.escape(key) + r"[A-Za-z0-9_.]+") if joined else key,
                    )
                )
    return found


def test_keys_used_through_t_and_f_strings_exist_in_both_languages() -> None:
    catalog = default_catalog()
    used = _keys_in_code()
    assert len(used) > 300  # the scan sees the code's calls: catalog.t(lang, …) as well as ctx.t(…)
    assert any(isinstance(key, re.Pattern) for _, key in used)
    missing = []
    for lang in ("vi", "en"):
        keys = catalog.keys(lang)
        for where, key in used:
            if isinstance(key, str) and key not in keys:
                missing.append(f"{where}: {key} ({lang})")
            elif isinstance(key, re.Pattern) and not any(key.fullmatch(k) for k in keys):
                missing.append(f"{where}: {key.pattern} matches no key ({lang})")
    assert missing == []


def test_a_text_missing_in_a_language_or_an_unknown_language_reads_the_default_languages() -> None:
    catalog = Catalog(
        {"vi": {"a": "Xin chào {name}", "b": "Tạm biệt"}, "en": {"a": "Hello {name}"}, "fr": {}},
    )
    assert catalog.t("en", "a", name="Ba") == "Hello Ba"
    assert catalog.t("en", "b") == catalog.raw("en", "b") == "Tạm biệt"
    assert catalog.t("fr", "a", name="Ba") == catalog.t("de", "a", name="Ba") == "Xin chào Ba"
    assert catalog.raw("vi", "a") == "Xin chào {name}"
    with pytest.raises(KeyError):
        catalog.t("en", "c")
