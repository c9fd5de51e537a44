"""A unit found by typing part of its name: the step that searches then offers the matches to pick from,
and the lookup of a name a unit had before a merger ("xã Mỹ Long") under the unit that holds it now ("Xã
Long Tiên"), said so, so that people who still use the old names are not turned away."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from bot.conversation.messages import Choice
from bot.conversation.session import Session
from bot.domain.successions import Share
from bot.domain.text import shorten
from bot.domain.units import Unit, UnitRef
from bot.engine.context import Context
from bot.handlers.flow import Flow, Outcome, Step
from bot.handlers.pick_step import need_choice
from bot.handlers.text_step import typed_text


async def former_unit(ctx: Context, query: str) -> list[Unit]:
    """The active units a former unit of that name went to, each told to the person; [] if none."""
    rows = await ctx.repos.successions.by_old_name(query)
    if not rows:
        return []
    units = {u.code: u for u in await ctx.repos.units.active()}
    holders = await ctx.repos.units.successors()
    found: dict[str, Unit] = {}
    by_old: dict[tuple[str, str], list[str]] = {}
    for row in rows:
        code = holders.get(row.new_code, row.new_code)
        if code in units:
            by_old.setdefault((row.old_code, row.old_name), []).append(code)
    for (old_code, old_name), codes in by_old.items():
        sample = next(r for r in rows if r.old_code == old_code)
        district = f", {sample.old_district}" if sample.old_district else ""
        split = any(r.share is Share.PART for r in rows if r.old_code == old_code)
        ctx.say(
            ctx.t(
                "units.former_part" if split else "units.former",
                old=f"{old_name}{district}",
                new=", ".join(units[c].name for c in codes),
                effective=sample.effective.strftime("%d/%m/%Y"),
                basis=sample.legal_basis,
            )
        )
        for code in codes:
            found[code] = units[code]
    return list(found.values())


MAX_UNIT_CHOICES = 8
QUERY_MAX = 200


class UnitSearch(Step):
    """Typing part of a unit's name finds it, with or without diacritics; several matches become choices.
    Texts under `texts`: pick_one, type_a_name, not_found (with {query}) and too_many (with {count}); the
    question itself is `question`. The unit's name is kept in the step's scratch for the summary."""

    def __init__(
        self,
        key: str,
        question: str,
        texts: str,
        *,
        applies: Callable[[Session], bool] | None = None,
        then: Callable[[Context], Awaitable[None]] | None = None,
    ) -> None:
        self.key = key
        self._question = question
        self.texts = texts
        self._applies = applies
        self.then = then

    def applies(self, session: Session) -> bool:
        return self._applies is None or self._applies(session)

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        matches: list[list[str]] = self.scratch(ctx).get("matches", [])
        if matches:
            choices = [Choice(label=name, value=flow.value(self.key, code)) for code, name in matches]
            return ctx.t(f"{self.texts}.pick_one"), choices
        return ctx.t(self._question), []

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        scratch = self.scratch(ctx)
        if value is not None:
            picked = next((name for code, name in scratch.get("matches", []) if code == value), None)
            if picked is None:
                return need_choice(ctx)
            return await self._pick(ctx, value, picked)
        query = typed_text(ctx)
        if not query or len(query) > QUERY_MAX:
            ctx.say(ctx.t(f"{self.texts}.type_a_name"))
            return Outcome.REASK
        found: Sequence[Unit | UnitRef] = await ctx.repos.units.search(query)
        if not found:
            # A name from before the 2025 mergers finds the unit that holds it now, and says so.
            found = await former_unit(ctx, query)
        if len(found) == 1:
            return await self._pick(ctx, found[0].code, found[0].name)
        scratch.pop("matches", None)
        if not found:
            ctx.say(ctx.t(f"{self.texts}.not_found", query=shorten(query, 60)))
            return Outcome.REASK
        if len(found) > MAX_UNIT_CHOICES:
            ctx.say(ctx.t(f"{self.texts}.too_many", count=len(found)))
            return Outcome.REASK
        scratch["matches"] = [[u.code, u.name] for u in found]
        return Outcome.REASK

    async def _pick(self, ctx: Context, code: str, name: str) -> Outcome:
        ctx.session.data[self.key] = code
        ctx.session.scratch[self.key] = {"name": name}
        if self.then is not None:
            await self.then(ctx)
        return Outcome.NEXT

    def picked_name(self, session: Session) -> str | None:
        name = session.scratch.get(self.key, {}).get("name")
        return str(name) if name else None

    def shown(self, ctx: Context) -> str:
        return self.picked_name(ctx.session) or str(ctx.session.data[self.key])
