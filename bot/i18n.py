"""Message catalogs: every text a user sees, in Vietnamese and English, kept out of the code.

Catalogs are YAML files under bot/locales/<lang>/, one per feature, merged per language. Keys are
dotted paths; values are `str.format` templates.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any

from bot import yaml_text

LOCALES_DIR = Path(__file__).parent / "locales"
DEFAULT_LANGUAGE = "vi"
LANGUAGES = ("vi", "en")


class Catalog:
    def __init__(self, messages: dict[str, dict[str, str]]) -> None:
        self._messages = messages
        self._default = messages[DEFAULT_LANGUAGE]
        # Each language's texts with the default language's where it has none: one look-up per text (an update
        # looks up several). An unknown language, or one with no texts, reads the default language's.
        self._tables = {lang: {**self._default, **table} for lang, table in messages.items() if table}

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self._messages)

    def keys(self, lang: str) -> set[str]:
        return set(self._messages.get(lang, {}))

    def has(self, key: str) -> bool:
        return key in self._messages[DEFAULT_LANGUAGE]

    def raw(self, lang: str, key: str) -> str:
        return self._tables.get(lang, self._default)[key]

    def t(self, lang: str, key: str, **values: Any) -> str:
        template = self._tables.get(lang, self._default)[key]
        return template.format(**values) if values else template

    def placeholders(self, lang: str, key: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.raw(lang, key)) if name}


def _flatten(prefix: str, node: Any, out: dict[str, str], source: Path) -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            _flatten(f"{prefix}.{key}" if prefix else str(key), value, out, source)
    elif isinstance(node, str):
        if prefix in out:
            raise ValueError(f"{source}: message key {prefix!r} defined twice")
        out[prefix] = node
    else:
        raise ValueError(f"{source}: message {prefix!r} must be text")


def load_catalog(directory: Path = LOCALES_DIR) -> Catalog:
    messages: dict[str, dict[str, str]] = {}
    for lang in LANGUAGES:
        table: dict[str, str] = {}
        for path in sorted((directory / lang).glob("*.yaml")):
            _flatten("", yaml_text.safe_load(path.read_text(encoding="utf-8")) or {}, table, path)
        messages[lang] = table
    return Catalog(messages)


@cache
def default_catalog() -> Catalog:
    return load_catalog()
