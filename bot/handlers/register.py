"""/dangky CODE: bind this person to a unit and role with an invite code."""

from __future__ import annotations

import math

from bot.domain.invites import FAILURE_WINDOW, normalize_code, retry_after
from bot.engine.context import Context
from bot.storage.audit import audit
from bot.storage.invites import InviteRepo
from bot.storage.roles import RoleRepo
from bot.storage.units import UnitRepo


async def register(ctx: Context) -> None:
    typed = normalize_code(ctx.incoming.args)
    if not typed:
        ctx.say(ctx.t("register.how"))
        return
    invites = InviteRepo(ctx.conn)
    wait = retry_after(await invites.recent_failures(ctx.user.id, ctx.now - FAILURE_WINDOW), ctx.now)
    if wait is not None:
        ctx.say(ctx.t("register.slow_down", minutes=max(1, math.ceil(wait.total_seconds() / 60))))
        return
    invite = await invites.usable(typed, ctx.now) if len(typed) <= 40 else None
    await invites.record_attempt(ctx.user.id, invite is not None, ctx.now)
    if invite is None:
        # The same answer whether the code never existed, expired, was used up or revoked.
        ctx.say(ctx.t("register.invalid"))
        return
    granted = await RoleRepo(ctx.conn).grant(ctx.user.id, invite.grant, ctx.now, via_invite=invite.id)
    if not granted:
        ctx.say(ctx.t("register.already"))
        return
    await invites.use(invite.id)
    await audit(
        ctx.conn,
        ctx.now,
        "role.granted",
        actor=ctx.user.id,
        channel=ctx.user.channel,
        subject=f"user:{ctx.user.id}",
        role=invite.grant.role.value,
        unit=invite.grant.unit_code,
        group=invite.grant.group_code,
        invite=invite.id,
    )
    scope = await describe_scope(ctx, invite.grant.unit_code, invite.grant.group_code)
    ctx.say(ctx.t(f"register.done_{invite.grant.role.value}", scope=scope))


async def describe_scope(ctx: Context, unit_code: str | None, group_code: str | None) -> str:
    if unit_code:
        unit = await UnitRepo(ctx.conn).get(unit_code)
        return unit.name if unit else unit_code
    if group_code:
        group = ctx.campaign.group(group_code)
        return group.name.get(ctx.lang) if group else group_code
    return ctx.t("register.whole_province")
