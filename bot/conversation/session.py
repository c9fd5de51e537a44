"""The persisted state of one user's conversation: plain data, saved after every step."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from bot.conversation.messages import Choice


class Mode(StrEnum):
    """Where a conversation stands: asking its current step, showing the summary, asking whether to drop the
    draft, or asking whether to resume a draft left too long."""

    ASKING = "asking"
    SUMMARY = "summary"
    CONFIRM_CANCEL = "confirm_cancel"
    STALE = "stale"


class Session(BaseModel):
    conversation: str | None = None
    mode: Mode = Mode.ASKING
    # The step asked (in ASKING), or the one to come back to after a cancel or a stale draft is answered.
    step: str | None = None
    # What CONFIRM_CANCEL and STALE go back to when the person keeps the draft.
    return_to: Mode | None = None
    # The person's answers, by step key: what the summary shows and the flow submits.
    data: dict[str, Any] = Field(default_factory=dict)
    # What the flow looked up before the first question (the units a person represents, say).
    facts: dict[str, Any] = Field(default_factory=dict)
    # Each step's work in progress (matches found, ticks made, files kept), by step key, apart from answers.
    scratch: dict[str, dict[str, Any]] = Field(default_factory=dict)
    # Set while the user edits one answer from the summary: after it, go back to the summary.
    editing: bool = False
    # The choices of the chat's latest message, so that "2" or the label typed in full picks one; and when
    # that message was shown, so that a message the bot sent on its own replaces them only if it came later.
    pending_choices: list[Choice] = Field(default_factory=list)
    choices_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    def clear(self) -> None:
        self.conversation = None
        self.mode = Mode.ASKING
        self.step = None
        self.return_to = None
        self.data = {}
        self.facts = {}
        self.scratch = {}
        self.editing = False
        self.pending_choices = []

    def start(self, conversation: str) -> None:
        self.clear()
        self.conversation = conversation

    def scratch_of(self, key: str) -> dict[str, Any]:
        """The work in progress of the step under `key`, made empty if it has none."""
        return self.scratch.setdefault(key, {})

    def forget(self, key: str) -> None:
        """Drop a step's answer and its work in progress: an earlier answer changed what it would be."""
        self.data.pop(key, None)
        self.scratch.pop(key, None)
