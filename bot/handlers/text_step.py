"""Text typed as an answer, checked once for its length and the rules of its kind (a name, a deed)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.conversation.messages import Choice, Kind
from bot.domain.text import normalize_text, shorten
from bot.engine.context import Context
from bot.handlers.flow import Flow, Outcome, Step

# What a text rule finds wrong: the catalog key under the rule's texts, and the values its message takes.
Problem = tuple[str, dict[str, Any]]


def typed_text(ctx: Context) -> str:
    """The text the person typed, tidied; "" for anything that is not text."""
    return normalize_text(ctx.incoming.text or "") if ctx.incoming.kind is Kind.TEXT else ""


@dataclass(frozen=True)
class TextRule:
    """Between `low` and `high` characters, then the rules in `problem` (told under `problem_texts`). The
    messages take {min}, {max} and {length}; `too_long` defaults to the same message as `too_short`."""

    low: int
    high: int
    too_short: str
    too_long: str | None = None
    problem: Callable[[str], Problem | None] | None = None
    problem_texts: str = ""
    # Said on a line after a rule's message, where there is another way out (to nominate anonymously).
    problem_hint: str | None = None

    def check(self, ctx: Context, text: str) -> str | None:
        """What to tell the person about `text`, or None if it passes."""
        if len(text) < self.low:
            return ctx.t(self.too_short, min=self.low, max=self.high, length=len(text))
        if len(text) > self.high:
            return ctx.t(self.too_long or self.too_short, min=self.low, max=self.high, length=len(text))
        found = self.problem(text) if self.problem is not None else None
        if found is not None:
            reason, values = found
            told = ctx.t(f"{self.problem_texts}.{reason}", **values)
            return f"{told}\n{ctx.t(self.problem_hint)}" if self.problem_hint else told
        return None


class BoundedText(Step):
    """A text answer that passes `rule`. The question (catalog key, or a function of the context) gets {min}
    and {max}, and what `question_values` adds; `not_text` is said to a button or a file where text is
    wanted, if it has words of its own."""

    def __init__(
        self,
        key: str,
        question: str | Callable[[Context], str],
        rule: TextRule,
        *,
        shown_max: int | None = None,
        shown_prefix: str = "",
        label: Callable[[Context], str] | None = None,
        not_text: str | None = None,
        question_values: Callable[[Context], dict[str, Any]] | None = None,
    ) -> None:
        self.key = key
        self._question = question
        self._question_values = question_values
        self.rule = rule
        self.shown_max = shown_max
        self.shown_prefix = shown_prefix
        self._label = label
        self.not_text = not_text

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        key = self._question if isinstance(self._question, str) else self._question(ctx)
        values = self._question_values(ctx) if self._question_values is not None else {}
        return ctx.t(key, min=self.rule.low, max=self.rule.high, **values), []

    def label(self, ctx: Context, flow: Flow) -> str:
        return self._label(ctx) if self._label is not None else super().label(ctx, flow)

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        if self.not_text is not None and ctx.incoming.kind is not Kind.TEXT:
            ctx.say(ctx.t(self.not_text))
            return Outcome.REASK
        text = typed_text(ctx)
        wrong = self.rule.check(ctx, text)
        if wrong is not None:
            ctx.say(wrong)
            return Outcome.REASK
        ctx.session.data[self.key] = text
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        text = str(ctx.session.data[self.key])
        return self.shown_prefix + (shorten(text, self.shown_max) if self.shown_max else text)


class NameOrAnonymous(Step):
    """A person's name that passes `rule`, or the button to stay anonymous (which drops the answers listed in
    `named_only`, asked only of someone named). Texts under `texts`: question, anonymous, anonymous_shown.
    The answer is {"anonymous": true} or {"anonymous": false, "name": …}."""

    ANONYMOUS = "anonymous"

    def __init__(self, key: str, texts: str, rule: TextRule, *, named_only: tuple[str, ...] = ()) -> None:
        self.key = key
        self.texts = texts
        self.rule = rule
        self.named_only = named_only

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t(f"{self.texts}.question"), [
            Choice(label=ctx.t(f"{self.texts}.anonymous"), value=flow.value(self.key, self.ANONYMOUS))
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        if value == self.ANONYMOUS:
            ctx.session.data[self.key] = {"anonymous": True}
            for key in self.named_only:
                ctx.session.forget(key)
            return Outcome.NEXT
        text = typed_text(ctx)
        wrong = self.rule.check(ctx, text)
        if wrong is not None:
            ctx.say(wrong)
            return Outcome.REASK
        ctx.session.data[self.key] = {"anonymous": False, "name": text}
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        answer = ctx.session.data[self.key]
        if answer.get("anonymous"):
            return ctx.t(f"{self.texts}.anonymous_shown")
        return str(answer["name"])
