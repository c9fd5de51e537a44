"""When reminders go out: offsets around each deadline, the hour of day, and the quiet hours."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.domain.timeofday import TimeOfDay


def _distinct(days: list[int]) -> list[int]:
    if len(set(days)) != len(days):
        raise ValueError(f"a day is listed twice in {days}")
    return days


class ReminderPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Days before the deadline (0 is the morning of the deadline) for units that have not reported.
    before_days: list[int] = Field(default_factory=lambda: [7, 3, 1, 0])
    # Days after the deadline, to units still missing.
    overdue_days: list[int] = Field(default_factory=lambda: [1, 3])
    # Days after the deadline when the council members in charge and the secretariat are told who is late.
    escalate_days: list[int] = Field(default_factory=lambda: [3])
    send_at: TimeOfDay = dt.time(8, 0)
    quiet_start: TimeOfDay = dt.time(21, 0)
    quiet_end: TimeOfDay = dt.time(7, 0)

    @field_validator("before_days", "overdue_days", "escalate_days")
    @classmethod
    def _days_are_distinct_and_in_range(cls, days: list[int]) -> list[int]:
        if any(not 0 <= day <= 366 for day in days):
            raise ValueError(f"days must be between 0 and 366, got {days}")
        return _distinct(days)

    @field_validator("overdue_days", "escalate_days")
    @classmethod
    def _after_means_after(cls, days: list[int]) -> list[int]:
        if 0 in days:
            raise ValueError("0 days after the deadline is the deadline itself: list it in before_days")
        return days

    def is_quiet(self, local: dt.time) -> bool:
        """Whether a local time of day is in the quiet hours (none when start and end are equal)."""
        if self.quiet_start <= self.quiet_end:
            return self.quiet_start <= local < self.quiet_end
        return local >= self.quiet_start or local < self.quiet_end

    def deliverable(self, local: dt.datetime) -> dt.datetime:
        """The first moment at or after `local` (an aware local time) that is outside the quiet hours."""
        if not self.is_quiet(local.time()):
            return local
        end = local.replace(hour=self.quiet_end.hour, minute=self.quiet_end.minute, second=0, microsecond=0)
        return end if end > local else end + dt.timedelta(days=1)
