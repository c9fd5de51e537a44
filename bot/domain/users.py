"""A person as one messenger knows them."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel


class User(BaseModel):
    id: int
    channel: str
    external_id: str
    chat_id: str
    display_name: str | None = None
    lang: str = "vi"
    created_at: dt.datetime
