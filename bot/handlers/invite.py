"""/moi: the secretariat creates an invite code from the chat ("/moi H-THAPMUOI", "/moi CUM1 hoidong")."""

from __future__ import annotations

import datetime as dt

from bot.domain.policy import Grant, Role
from bot.engine.context import Context
from bot.handlers.register import describe_scope
from bot.storage.audit import audit
from bot.storage.invites import InviteRepo
from bot.storage.units import UnitRepo

VALID_FOR = dt.timedelta(days=14)
ROLE_WORDS = {
    "rep": Role.UNIT_REP,
    "daidien": Role.UNIT_REP,
    "council": Role.COUNCIL,
    "hoidong": Role.COUNCIL,
    "secretariat": Role.SECRETARIAT,
    "thuongtruc": Role.SECRETARIAT,
    "admin": Role.ADMIN,
    "quantri": Role.ADMIN,
}


async def create_invite(ctx: Context) -> None:
    role: Role | None = None
    unit_code: str | None = None
    group_code: str | None = None
    for word in ctx.incoming.args.split():
        if word.lower() in ROLE_WORDS:
            role = ROLE_WORDS[word.lower()]
        elif ctx.campaign.group(word.upper()) is not None:
            group_code = word.upper()
        elif (unit := await UnitRepo(ctx.conn).get(word.upper())) is not None and unit.active:
            unit_code = unit.code
        else:
            ctx.say(ctx.t("invite.unknown_word", word=word[:40]))
            return
    role = role or (Role.COUNCIL if group_code else Role.UNIT_REP)
    needs_unit = role is Role.UNIT_REP
    if (needs_unit and unit_code is None) or (role is Role.COUNCIL and not (unit_code or group_code)):
        ctx.say(ctx.t("invite.how"))
        return
    if role is Role.ADMIN and Role.ADMIN not in await ctx.roles():
        ctx.say(ctx.t("errors.not_allowed"))
        return
    if role in (Role.SECRETARIAT, Role.ADMIN):
        unit_code = group_code = None
    grant = Grant(
        role=role, unit_code=unit_code if role is not Role.COUNCIL or not group_code else None, group_code=group_code
    )
    expires = ctx.now + VALID_FOR
    code, invite = await InviteRepo(ctx.conn).create(grant, 1, expires, ctx.user.id, ctx.now)
    await audit(
        ctx.conn,
        ctx.now,
        "invite.created",
        actor=ctx.user.id,
        channel=ctx.user.channel,
        subject=f"invite:{invite.id}",
        role=role.value,
        unit=grant.unit_code,
        group=grant.group_code,
    )
    local_expiry = expires.astimezone(ctx.campaign.campaign.tz).strftime("%d/%m/%Y")
    scope = await describe_scope(ctx, grant.unit_code, grant.group_code)
    ctx.say(ctx.t("invite.created", code=code, role=ctx.t(f"roles.{role.value}"), scope=scope, expires=local_expiry))
