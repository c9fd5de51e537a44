"""A step that takes one of a list, the commonest question there is: a kind, a unit, a period, yes or no."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot.conversation.messages import Choice, Kind
from bot.conversation.session import Session
from bot.engine.context import Context
from bot.handlers.flow import Flow, Outcome, Step

Options = Callable[[Context], Sequence[tuple[str, str]]]


def need_choice(ctx: Context) -> Outcome:
    """What a step says to anything but one of its choices."""
    ctx.say(ctx.t("input.pick_choice"))
    return Outcome.REASK


class PickOne(Step):
    """One of `options` ((value, label) pairs, in order), asked with the catalog's `question`. The answer
    stored is the value; `resets` names the answers that depend on it, dropped when it changes; `then` runs
    after a pick (a count to refresh, earlier answers to fill in) and says how to go on."""

    def __init__(
        self,
        key: str,
        question: str,
        options: Options,
        *,
        applies: Callable[[Session], bool] | None = None,
        shown: Callable[[Context, str], str] | None = None,
        typed: Callable[[Context, str], str | None] | None = None,
        resets: tuple[str, ...] = (),
        then: Callable[[Context, str], Awaitable[Outcome]] | None = None,
    ) -> None:
        self.key = key
        self._question = question
        self.options = options
        self._applies = applies
        self._shown = shown
        self._typed = typed
        self.resets = resets
        self.then = then

    def applies(self, session: Session) -> bool:
        return self._applies is None or self._applies(session)

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t(self._question), [
            Choice(label=label, value=flow.value(self.key, value)) for value, label in self.options(ctx)
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        if value is None and self._typed is not None and ctx.incoming.kind is Kind.TEXT:
            value = self._typed(ctx, ctx.incoming.text or "")
        if value is None or value not in {v for v, _ in self.options(ctx)}:
            return need_choice(ctx)
        session = ctx.session
        if session.data.get(self.key) != value:
            for key in self.resets:
                session.forget(key)
        session.data[self.key] = value
        return await self.then(ctx, value) if self.then is not None else Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        value = str(ctx.session.data[self.key])
        if self._shown is not None:
            return self._shown(ctx, value)
        return next((label for v, label in self.options(ctx) if v == value), value)


class ConsentStep(Step):
    """Agreeing to what the question says, or hearing that it is needed: the time of the agreement is kept."""

    def __init__(self, key: str, texts: str, variant: Callable[[Session], str]) -> None:
        self.key = key
        self.texts = texts
        self.variant = variant

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t(f"{self.texts}.question_{self.variant(ctx.session)}"), [
            Choice(label=ctx.t(f"{self.texts}.agree"), value=flow.value(self.key, "agree")),
            Choice(label=ctx.t(f"{self.texts}.disagree"), value=flow.value(self.key, "disagree")),
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        if value == "agree":
            ctx.session.data[self.key] = ctx.now.isoformat()
            return Outcome.NEXT
        if value == "disagree":
            ctx.session.data.pop(self.key, None)
            ctx.say(ctx.t(f"{self.texts}.required"))
            return Outcome.REASK
        return need_choice(ctx)

    def shown(self, ctx: Context) -> str:
        return ctx.t(f"{self.texts}.shown")
