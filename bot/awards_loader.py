"""The award catalogue shipped with the project, read once (config/awards/khen-thuong.yaml)."""

from __future__ import annotations

from functools import cache

from bot.domain.awards import DEFAULT_CATALOGUE, Catalogue, load_catalogue


@cache
def catalogue() -> Catalogue:
    return load_catalogue(DEFAULT_CATALOGUE)
