"""A campaign's category picked by browsing (its movements, or one tap further its content areas) or found
by typing part of its name."""

from __future__ import annotations

from bot.conversation.messages import Choice
from bot.domain.campaign import Category
from bot.engine.context import Context
from bot.handlers.flow import Flow, Outcome, Step
from bot.handlers.pick_step import need_choice
from bot.handlers.text_step import typed_text

QUERY_MAX = 200


class CategoryStep(Step):
    """Texts under `texts`: question, question_areas, pick_one, show_movements, show_areas (with {count})
    and not_found. Which list is shown, and what a search found, are the step's scratch."""

    AREAS = "_areas"
    MOVEMENTS = "_movements"

    def __init__(self, key: str, texts: str) -> None:
        self.key = key
        self.texts = texts

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        scratch = self.scratch(ctx)
        view = scratch.get("view", "movements")
        movements = Choice(label=ctx.t(f"{self.texts}.show_movements"), value=flow.value(self.key, self.MOVEMENTS))
        if view == "matches":
            picked = [c for c in ctx.campaign.categories if c.code in scratch.get("matches", [])]
            return ctx.t(f"{self.texts}.pick_one"), [*self._choices(ctx, flow, picked), movements]
        if view == "areas":
            areas = self._choices(ctx, flow, ctx.campaign.content_areas)
            return ctx.t(f"{self.texts}.question_areas"), [*areas, movements]
        show_areas = Choice(
            label=ctx.t(f"{self.texts}.show_areas", count=len(ctx.campaign.content_areas)),
            value=flow.value(self.key, self.AREAS),
        )
        return ctx.t(f"{self.texts}.question"), [*self._choices(ctx, flow, ctx.campaign.movements), show_areas]

    def _choices(self, ctx: Context, flow: Flow, categories: list[Category]) -> list[Choice]:
        return [Choice(label=c.name.get(ctx.lang), value=flow.value(self.key, c.code)) for c in categories]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        scratch = self.scratch(ctx)
        if value == self.AREAS:
            scratch["view"] = "areas"
            return Outcome.REASK
        if value == self.MOVEMENTS:
            scratch["view"] = "movements"
            return Outcome.REASK
        if value is not None:
            if ctx.campaign.category(value) is None:
                return need_choice(ctx)
            return self._pick(ctx, value)
        query = typed_text(ctx)
        found = ctx.campaign.search_categories(query, ctx.lang) if 0 < len(query) <= QUERY_MAX else []
        if len(found) == 1:
            return self._pick(ctx, found[0].code)
        if found:
            scratch["view"] = "matches"
            scratch["matches"] = [c.code for c in found]
            return Outcome.REASK
        ctx.say(ctx.t(f"{self.texts}.not_found"))
        return Outcome.REASK

    def _pick(self, ctx: Context, code: str) -> Outcome:
        ctx.session.data[self.key] = code
        ctx.session.scratch.pop(self.key, None)
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        category = ctx.campaign.category(ctx.session.data[self.key])
        return category.name.get(ctx.lang) if category else str(ctx.session.data[self.key])
