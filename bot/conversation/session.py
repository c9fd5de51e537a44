"""The persisted state of one user's conversation: plain data, saved after every step."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from bot.conversation.messages import Choice


class Session(BaseModel):
    conversation: str | None = None
    step: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    history: list[str] = Field(default_factory=list)
    # Set while the user edits one answer from the summary: after it, go back to the summary.
    editing: bool = False
    # The choices of the chat's latest message, so that "2" or the label typed in full picks one; and when
    # that message was shown, so that a message the bot sent on its own replaces them only if it came later.
    pending_choices: list[Choice] = Field(default_factory=list)
    choices_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    def clear(self) -> None:
        self.conversation = None
        self.step = None
        self.data = {}
        self.history = []
        self.editing = False
        self.pending_choices = []

    def start(self, conversation: str, step: str) -> None:
        self.clear()
        self.conversation = conversation
        self.step = step
