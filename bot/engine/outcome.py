"""What the engine knows after one update, returned with its replies (as goflow's engine returns events), so
that no channel has to work it out again: the person's language once the update is handled, and what the
update changed that a channel shows outside the replies (Zalo's hints, Telegram's command menu)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.conversation.messages import Reply


@dataclass(frozen=True)
class LanguageChanged:
    """The person chose another language."""

    before: str
    after: str


# Every kind of event the engine reports (one so far).
Event = LanguageChanged


@dataclass(frozen=True)
class Outcome:
    replies: list[Reply]
    # The person's language after the update; None for an update handled before, of which nothing was read.
    lang: str | None
    events: tuple[Event, ...] = ()

    @property
    def language_changed(self) -> LanguageChanged | None:
        return next((event for event in self.events if isinstance(event, LanguageChanged)), None)
