"""A step that takes several of a list: each tap ticks or unticks one, then "Done".

Messengers without buttons (Zalo) get the same list numbered: typing "3" ticks the third, typing part of
a name ticks the one it names. The ticks are kept in the session as they are made, so an interrupted
choice resumes with its ticks.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from bot.domain.text import fold, normalize_text
from bot.engine.context import Context
from bot.engine.messages import Choice, Kind
from bot.handlers.flow import Flow, Outcome, Step

TICKED, UNTICKED = "☑ ", "☐ "


class MultiChoiceStep(Step):
    """Stores the ticked values, in the order the options are listed. Texts under `texts`: question,
    done (with {count}), too_few (with {min}) and how."""

    DONE = "_done"

    def __init__(self, key: str, texts: str, at_least: int = 1) -> None:
        self.key = key
        self.texts = texts
        self.at_least = at_least

    @abstractmethod
    def options(self, ctx: Context) -> list[tuple[str, str]]:
        """(value, label) of every option, in the order to show them."""

    def _ticks(self, data: dict[str, Any]) -> list[str]:
        """The ticks being made: started from the stored answer when the step is asked again."""
        held = f"_ticked:{self.key}"
        if held not in data:
            data[held] = list(data.get(self.key, []))
        ticks: list[str] = data[held]
        return ticks

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        ticks = self._ticks(ctx.session.data)
        choices = [
            Choice(label=(TICKED if value in ticks else UNTICKED) + label, value=flow.value(self.key, value))
            for value, label in self.options(ctx)
        ]
        done = ctx.t(f"{self.texts}.done", count=len(ticks))
        choices.append(Choice(label=done, value=flow.value(self.key, self.DONE)))
        return ctx.t(f"{self.texts}.question"), choices

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        data = ctx.session.data
        ticks = self._ticks(data)
        options = self.options(ctx)
        if value == self.DONE:
            if len(ticks) < self.at_least:
                ctx.say(ctx.t(f"{self.texts}.too_few", min=self.at_least))
                return Outcome.REASK
            data[self.key] = [v for v, _ in options if v in ticks]
            data.pop(f"_ticked:{self.key}")
            return Outcome.NEXT
        if value is None:
            typed = fold(normalize_text(ctx.incoming.text or "")) if ctx.incoming.kind is Kind.TEXT else ""
            found = [v for v, label in options if typed and typed in fold(label)] if len(typed) <= 200 else []
            if len(found) != 1:
                ctx.say(ctx.t(f"{self.texts}.how"))
                return Outcome.REASK
            value = found[0]
        if value not in {v for v, _ in options}:
            ctx.say(ctx.t("input.pick_choice"))
            return Outcome.REASK
        if value in ticks:
            ticks.remove(value)
        else:
            ticks.append(value)
        return Outcome.REASK

    def shown(self, ctx: Context) -> str:
        picked = ctx.session.data.get(self.key, [])
        return "; ".join(label for value, label in self.options(ctx) if value in picked)
