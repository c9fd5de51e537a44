"""A text the campaign's files give in Vietnamese and, optionally, in English."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Localized(BaseModel):
    """A text in Vietnamese and English; English falls back to Vietnamese."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    vi: str = Field(min_length=1)
    en: str | None = None

    def get(self, lang: str) -> str:
        if lang == "en" and self.en:
            return self.en
        return self.vi


def as_localized(value: object) -> object:
    """A plain string in a file is its Vietnamese text."""
    return {"vi": value} if isinstance(value, str) else value
