"""What the engine knows after one update, returned with its replies (as goflow's engine returns events), so
that no channel has to work it out again: the person's language once the update is handled, and what the
update changed that a channel shows outside the replies (Zalo's hints, Telegram's command menu)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.conversation.messages import Reply
from bot.domain.policy import Role


@dataclass(frozen=True)
class LanguageChanged:
    """The person chose another language."""

    before: str
    after: str


@dataclass(frozen=True)
class RolesChanged:
    """The update gave the person a role or took one away (an invite code redeemed)."""


# Every kind of event the engine reports.
Event = LanguageChanged | RolesChanged


@dataclass(frozen=True)
class Outcome:
    replies: list[Reply]
    # The person's language after the update; None for an update handled before, of which nothing was read.
    lang: str | None
    events: tuple[Event, ...] = ()
    # The person's roles after the update, read only when there are events: what a channel shows outside the
    # replies (Telegram's command menu) depends on them, and most updates change nothing of the kind.
    roles: frozenset[Role] | None = None

    @property
    def language_changed(self) -> LanguageChanged | None:
        return next((event for event in self.events if isinstance(event, LanguageChanged)), None)

    @property
    def roles_changed(self) -> bool:
        return any(isinstance(event, RolesChanged) for event in self.events)
