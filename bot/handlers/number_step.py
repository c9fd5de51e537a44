"""A number typed as an answer, read the way people write them ("1.200", "5,5", "80%") and kept within the
bounds of what it counts."""

from __future__ import annotations

import re

from bot.conversation.messages import Choice, Kind
from bot.domain.campaign import Indicator
from bot.domain.reports import format_number, parse_number, within_bounds
from bot.engine.context import Context
from bot.handlers.flow import Flow, Outcome, Step

# Longer than any number worth reading.
TYPED_MAX = 40


class NumberStep(Step):
    """The value of `indicator`. Texts under `texts`: question (with {name}, {unit}, {kind}, {bounds}),
    between, at_least, at_most, out_of_bounds, the type names, and not_whole / not_<type> /
    unreadable_<type> for what cannot be read."""

    def __init__(self, key: str, indicator: Indicator, texts: str) -> None:
        self.key = key
        self.indicator = indicator
        self.texts = texts

    def label(self, ctx: Context, flow: Flow) -> str:
        return self.indicator.name.get(ctx.lang)

    def _bounds(self, ctx: Context) -> str:
        low, high = self.indicator.min, self.indicator.max
        if low is not None and high is not None:
            return ctx.t(f"{self.texts}.between", min=format_number(low, ctx.lang), max=format_number(high, ctx.lang))
        if low is not None:
            return ctx.t(f"{self.texts}.at_least", min=format_number(low, ctx.lang))
        if high is not None:
            return ctx.t(f"{self.texts}.at_most", max=format_number(high, ctx.lang))
        return ""

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        kind = ctx.t(f"{self.texts}.{self.indicator.type}")
        text = ctx.t(
            f"{self.texts}.question",
            name=self.indicator.name.get(ctx.lang),
            unit=self.indicator.unit.get(ctx.lang),
            kind=kind,
            bounds=self._bounds(ctx),
        )
        return text.rstrip(), []

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        text = ctx.incoming.text or "" if ctx.incoming.kind is Kind.TEXT else ""
        number = parse_number(text, self.indicator) if len(text) < TYPED_MAX else None
        if number is None:
            ctx.say(ctx.t(self._why_not_a_number(text)))
            return Outcome.REASK
        if not within_bounds(number, self.indicator):
            bounds = self._bounds(ctx)
            ctx.say(ctx.t(f"{self.texts}.out_of_bounds", value=format_number(number, ctx.lang), bounds=bounds))
            return Outcome.REASK
        ctx.session.data[self.key] = number
        return Outcome.NEXT

    def _why_not_a_number(self, text: str) -> str:
        """The catalog key that says what is wrong with what was typed: "5,5" for a whole number has a
        fraction, not letters."""
        if self.indicator.type == "integer" and re.fullmatch(r"\s*[+-]?\d+[.,]\d+\s*%?\s*", text):
            return f"{self.texts}.not_whole"
        if any(ch.isalpha() for ch in text):
            return f"{self.texts}.not_{self.indicator.type}"
        return f"{self.texts}.unreadable_{self.indicator.type}"

    def shown(self, ctx: Context) -> str:
        number = format_number(float(ctx.session.data[self.key]), ctx.lang)
        return f"{number} {self.indicator.unit.get(ctx.lang)}"
