"""Whether a reply is one of the catalog's refusals."""

from __future__ import annotations

from bot.i18n import default_catalog

CATALOG = default_catalog()
REFUSALS = [CATALOG.raw("vi", key) for key in CATALOG.keys("vi") if key.startswith("refused.")]
REFUSALS.append(CATALOG.raw("vi", "errors.not_allowed"))


def refused(text: str) -> bool:
    return any(refusal in text for refusal in REFUSALS)
