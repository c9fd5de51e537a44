"""A reviewer's words: the reason for a rejection, or the question for the nominator. Each is a short
conversation in the reviewer's own session (Bước 1/1, a summary to check, /huy to drop it), started by the
button on the card and decided, when sent, only if the nomination is still where the button found it."""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

from bot.conversation.messages import Choice, Kind
from bot.domain.policy import Action
from bot.domain.review import REASON_MAX, Decision
from bot.domain.text import normalize_text, shorten
from bot.engine.context import Context
from bot.handlers import review_decisions as decisions
from bot.handlers.flow import Flow, Outcome, Step
from bot.handlers.review import already, pressed_state, say_with_actions, still_at
from bot.handlers.review_card import parse
from bot.storage.review import Outcome as Decided

REASON_MIN = 3


def _nominee(ctx: Context) -> str:
    """The nominee's name, read again for this input (ReviewWordsFlow.recall)."""
    return str(ctx.looked_up.get("nominee", ""))


class WordsStep(Step):
    """The reviewer's text, written for the nominator to read."""

    def __init__(self, key: str) -> None:
        self.key = key

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        reference = ctx.session.facts["reference"]
        return ctx.t(f"{flow.name}.{self.key}.question", reference=reference, name=_nominee(ctx)), []

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        if ctx.incoming.kind is not Kind.TEXT:
            ctx.say(ctx.t("review.words.type_text"))
            return Outcome.REASK
        text = normalize_text(ctx.incoming.text or "")
        if len(text) < REASON_MIN:
            ctx.say(ctx.t("review.words.too_short", min=REASON_MIN, length=len(text)))
            return Outcome.REASK
        if len(text) > REASON_MAX:
            ctx.say(ctx.t("review.words.too_long", max=REASON_MAX, length=len(text)))
            return Outcome.REASK
        ctx.session.data[self.key] = text
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return shorten(str(ctx.session.data[self.key]), 500)


class ReviewWordsFlow(Flow):
    """What the reject and ask conversations share: which nomination, at which stage, for whom."""

    action = Action.REVIEW

    decision: ClassVar[Decision]

    async def prepare(self, ctx: Context) -> bool:
        press = parse(ctx.incoming.choice or "") if ctx.incoming.kind is Kind.CHOICE else None
        if press is None:
            ctx.say(ctx.t("review.not_found"))
            return False
        state = await pressed_state(ctx, press)
        if state is None:
            return False
        if not still_at(state, press.text(1), self.decision):
            already(ctx, state)
            return False
        # Which nomination, and the stage the button was made for: the decision is taken only if it is still there.
        ctx.session.facts.update({"reference": state.reference, "stage": press.text(1)})
        return True

    async def recall(self, ctx: Context) -> None:
        reference = ctx.session.facts.get("reference")
        nomination = await ctx.repos.nominations.by_reference(str(reference)) if reference is not None else None
        ctx.looked_up["nominee"] = nomination.nominee_name if nomination is not None else ""

    def title(self, ctx: Context) -> str:
        return ctx.t(f"{self.name}.title", reference=ctx.session.facts.get("reference", ""))

    def summary_header(self, ctx: Context) -> list[str]:
        return [ctx.t("review.words.nominee", name=_nominee(ctx))]

    async def submit(self, ctx: Context) -> None:
        key = self.steps[0].key
        data, facts = dict(ctx.session.data), dict(ctx.session.facts)
        if not data.get(key):
            self._go(ctx, key)
            return
        ctx.session.clear()
        outcome = await decisions.decide(
            ctx.repos,
            ctx.services,
            facts["reference"],
            self.decision,
            ctx.user,
            ctx.now,
            expected_stage=facts["stage"],
            words=data[key],
        )
        if outcome is None:
            ctx.say(ctx.t("review.not_found"))
            return
        if not outcome.won:
            already(ctx, outcome.state)
            return
        self.decided(ctx, outcome)

    @abstractmethod
    def decided(self, ctx: Context, outcome: Decided) -> None:
        """Tell the reviewer that it is done (the nominator was told by the decision itself)."""


class RejectFlow(ReviewWordsFlow):
    name = "review_reject"
    decision = Decision.REJECT
    steps: ClassVar[list[Step]] = [WordsStep("reason")]

    def decided(self, ctx: Context, outcome: Decided) -> None:
        ctx.say(ctx.t("review_reject.done", reference=outcome.state.reference))


class AskFlow(ReviewWordsFlow):
    name = "review_ask"
    decision = Decision.ASK
    steps: ClassVar[list[Step]] = [WordsStep("question")]

    def decided(self, ctx: Context, outcome: Decided) -> None:
        say_with_actions(ctx, ctx.t("review_ask.done", reference=outcome.state.reference), outcome.state)
