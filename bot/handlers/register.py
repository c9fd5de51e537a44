"""/dangky CODE: bind this person to a unit and role with an invite code.

A wrong, expired, used-up or revoked code all get the same answer, so typing codes reveals nothing; five
wrong codes in fifteen minutes make the person wait (the attempts are kept in the database, so a restart
does not reset the count)."""

from __future__ import annotations

import datetime as dt
import math

from bot.domain.invites import FAILURE_WINDOW, normalize_code, retry_after
from bot.engine.context import Context


async def register(ctx: Context) -> None:
    typed = normalize_code(ctx.incoming.args)
    if not typed:
        ctx.say(ctx.t("register.how"))
        return
    invites = ctx.repos.invites
    wait = retry_after(await invites.recent_failures(ctx.user.id, ctx.now - FAILURE_WINDOW), ctx.now)
    if wait is not None:
        minutes = max(1, math.ceil(wait.total_seconds() / 60))
        at = (ctx.now + dt.timedelta(minutes=minutes)).astimezone(ctx.campaign.campaign.tz).strftime("%H:%M")
        ctx.say(ctx.t("register.slow_down", minutes=minutes, at=at))
        return
    invite = await invites.usable(typed, ctx.now) if len(typed) <= 40 else None
    await invites.record_attempt(ctx.user.id, invite is not None, ctx.now)
    if invite is None:
        # The same answer whether the code never existed, expired, was used up or revoked.
        ctx.say(ctx.t("register.invalid"))
        return
    unit_code = invite.grant.unit_code
    if unit_code is not None and not ((unit := await ctx.repos.units.get(unit_code)) and unit.active):
        # The unit was merged or retired after the code was made: the code no longer leads anywhere.
        ctx.say(ctx.t("register.unit_gone"))
        return
    granted = await ctx.repos.roles.grant(
        ctx.user.id, invite.grant, ctx.now, channel=ctx.user.channel, via_invite=invite.id
    )
    if not granted:
        ctx.say(ctx.t("register.already"))
        return
    await invites.use(invite.id)
    scope = await describe_scope(ctx, invite.grant.unit_code, invite.grant.group_code)
    ctx.say(ctx.t(f"register.done_{invite.grant.role.value}", scope=scope))


async def describe_scope(ctx: Context, unit_code: str | None, group_code: str | None) -> str:
    if unit_code:
        unit = await ctx.repos.units.get(unit_code)
        return unit.name if unit else unit_code
    if group_code:
        group = ctx.campaign.group(group_code)
        return group.name.get(ctx.lang) if group else group_code
    return ctx.t("register.whole_province")
