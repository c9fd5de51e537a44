"""Rate limits per messenger: messages per second overall, a pause between two to the same chat, and a
per-minute cap for group chats. Times are scheduled ahead ("the next slot"), so a steady stream keeps
the configured rate instead of drifting below it. The outbox worker takes its overall slots from the budget
all workers share (bot/storage/outbox.py, SendingBudget) and keeps here what one worker knows of its chats."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel, Field


class ChannelLimits(BaseModel):
    per_second: float = Field(default=30, gt=0)
    per_chat_seconds: float = Field(default=1.0, ge=0)
    per_group_per_minute: float = Field(default=20, gt=0)


@dataclass
class RateLimiter:
    limits: ChannelLimits
    next_slot: float = 0.0
    chat_next: dict[str, float] = field(default_factory=dict)
    paused_until: float = 0.0

    def chat_ready_at(self, chat_id: str) -> float:
        return self.chat_next.get(chat_id, 0.0)

    def take(self, chat_id: str, now: float, group: bool = False) -> float:
        """Reserve the next slot for a message to this chat; returns when it may be sent."""
        at = max(now, self.next_slot, self.chat_next.get(chat_id, 0.0), self.paused_until)
        self.next_slot = max(at, self.next_slot) + 1.0 / self.limits.per_second
        gap = 60.0 / self.limits.per_group_per_minute if group else self.limits.per_chat_seconds
        self.chat_next[chat_id] = at + gap
        if len(self.chat_next) > 10_000:
            self.chat_next = {c: t for c, t in self.chat_next.items() if t > now}
        return at

    def chat_gap(self, group: bool) -> float:
        return 60.0 / self.limits.per_group_per_minute if group else self.limits.per_chat_seconds

    def chat_sent(self, chat_id: str, at: float, group: bool = False) -> None:
        """A message to this chat goes at `at` (its slot from the shared budget): the chat's next waits its gap."""
        self.chat_next[chat_id] = max(self.chat_next.get(chat_id, 0.0), at + self.chat_gap(group))
        if len(self.chat_next) > 10_000:
            self.chat_next = {c: t for c, t in self.chat_next.items() if t > at}

    def pause(self, until: float) -> None:
        self.paused_until = max(self.paused_until, until)
