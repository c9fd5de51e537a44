"""A unit split between successors asks the secretariat where its open items go: the question is sent
through the outbox when the succession table is read (bot/successions/questions.py), /tachdonvi (/split)
asks it again, and a press of one successor's button records the decision and merges the unit into it."""

from __future__ import annotations

from bot.conversation.buttons import SplitButton
from bot.domain.policy import Action
from bot.domain.successions import Split
from bot.engine.context import Context
from bot.handlers.refusal import insist
from bot.successions.questions import split_question, unit_names

PREFIX = SplitButton.prefix + ":"


async def _pending(ctx: Context) -> list[Split]:
    today = ctx.now.astimezone(ctx.campaign.campaign.tz).date()
    return await ctx.repos.successions.pending(today)


async def list_splits(ctx: Context) -> None:
    pending = await _pending(ctx)
    if not pending:
        ctx.say(ctx.t("split.none"))
        return
    names = await unit_names(ctx.repos)
    for split in pending:
        question = split_question(ctx.services, ctx.lang, split, names)
        ctx.say(question.text, question.choices)


async def split_button(ctx: Context) -> None:
    if not await insist(ctx, Action.MANAGE_UNITS):
        return
    button = SplitButton.unpack(ctx.incoming.choice or "")
    old, new = (button.old, button.new) if button is not None else ("", "")
    pending = {s.unit.code: s for s in await _pending(ctx)}
    names = await unit_names(ctx.repos)
    split = pending.get(old)
    if split is None:
        # Decided already (by someone else, or from the command line), or not a split at all.
        unit = await ctx.repos.units.get(old)
        into = unit.merged_into if unit is not None else None
        ctx.say(ctx.t("split.already", unit=names.get(old, old), successor=names.get(into or "", into or "—")))
        return
    if new not in split.successors:
        ctx.say(ctx.t("split.not_a_successor", unit=split.unit.name))
        return
    repo = ctx.repos.successions
    await repo.assign(old, new, ctx.user.id, ctx.now)
    await repo.apply(ctx.now.astimezone(ctx.campaign.campaign.tz).date(), ctx.now, "split")
    ctx.say(ctx.t("split.done", unit=split.unit.name, successor=names.get(new, new)))
