"""When reminders go out: offsets around each deadline, the hour of day, and the quiet hours."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class ReminderPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Days before the deadline (0 is the morning of the deadline) for units that have not reported.
    before_days: list[int] = Field(default_factory=lambda: [7, 3, 1, 0])
    # Days after the deadline, to units still missing.
    overdue_days: list[int] = Field(default_factory=lambda: [1, 3])
    # Days after the deadline when the council members in charge and the secretariat are told who is late.
    escalate_days: list[int] = Field(default_factory=lambda: [3])
    send_at: dt.time = dt.time(8, 0)
    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(7, 0)

    def is_quiet(self, local: dt.time) -> bool:
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end
