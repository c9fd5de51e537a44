"""Saying no: every refusal the policy makes is answered, kindly, never with silence."""

from __future__ import annotations

from bot.domain.policy import Action
from bot.engine.context import Context


def refuse(ctx: Context, action: Action) -> None:
    """The refusal for an action, with a word on how to get the right where the catalog has one."""
    explained = f"refused.{action.value}"
    ctx.say(ctx.t(explained if ctx.services.catalog.has(explained) else "errors.not_allowed"))


async def insist(ctx: Context, action: Action) -> bool:
    """Whether the person may do it; if not, they are told so."""
    if await ctx.may(action):
        return True
    refuse(ctx, action)
    return False
