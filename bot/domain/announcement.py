"""Announcements from the secretariat to unit representatives: who they reach and what they may say."""

from __future__ import annotations

from enum import StrEnum

TEXT_MIN = 10
TEXT_MAX = 3000


class Audience(StrEnum):
    ALL = "all"  # every registered unit representative
    GROUP = "group"  # the representatives of a cluster's or block's units
    UNIT = "unit"  # the representatives of one unit


def parse_audience(spec: str) -> tuple[Audience, str | None]:
    """ "all", "group:CUM1" or "unit:H-LAPVO" as the command line writes them; ValueError otherwise."""
    kind, _, target = spec.strip().partition(":")
    try:
        audience = Audience(kind.strip().lower())
    except ValueError:
        raise ValueError(f"unknown audience {kind!r}: use all, group:CODE or unit:CODE") from None
    target = target.strip()
    if audience is Audience.ALL:
        if target:
            raise ValueError("'all' takes no code")
        return audience, None
    if not target:
        raise ValueError(f"{audience.value} needs a code, e.g. {audience.value}:CODE")
    return audience, target
