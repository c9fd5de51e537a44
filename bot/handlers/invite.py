"""/moi: the secretariat creates an invite code from the chat.

"/moi H-THAPMUOI" invites a representative of that unit, "/moi CUM1 hoidong" a council member in charge of
a cluster, "/moi thuongtruc" someone of the secretariat; a number says how many people may use the code and
"7d" how long it lasts ("/moi H-THAPMUOI 3 7d").
"""

from __future__ import annotations

import datetime as dt
import re

from bot.domain.audit import AuditAction
from bot.domain.invites import parse_duration
from bot.domain.policy import Grant, Role, invite_action
from bot.engine.context import Context
from bot.handlers.refusal import insist
from bot.handlers.register import describe_scope

VALID_FOR = dt.timedelta(days=14)
LONGEST = dt.timedelta(days=90)
MOST_USES = 200
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
    uses = 1
    valid_for = VALID_FOR
    for word in ctx.incoming.args.split()[:8]:
        lowered = word.lower()
        if lowered in ROLE_WORDS:
            role = ROLE_WORDS[lowered]
        elif re.fullmatch(r"\d{1,4}", word):
            uses = int(word)
        elif re.fullmatch(r"\d{1,3}[dhm]", lowered):
            valid_for = parse_duration(lowered)
        elif ctx.campaign.group(word.upper()) is not None:
            group_code = word.upper()
        elif (unit := await ctx.repos.units.get(word.upper()[:40])) is not None and unit.active:
            unit_code = unit.code
        else:
            ctx.say(ctx.t("invite.unknown_word", word=word[:40]))
            return
    role = role or (Role.COUNCIL if group_code else Role.UNIT_REP)
    if (role is Role.UNIT_REP and unit_code is None) or (role is Role.COUNCIL and not (unit_code or group_code)):
        ctx.say(ctx.t("invite.how"))
        return
    if not 1 <= uses <= MOST_USES or not dt.timedelta(minutes=1) <= valid_for <= LONGEST:
        ctx.say(ctx.t("invite.limits", uses=MOST_USES, days=LONGEST.days))
        return
    if not await insist(ctx, invite_action(role)):
        return
    if role is Role.UNIT_REP:
        grant = Grant(role=role, unit_code=unit_code)
    elif role is Role.COUNCIL:
        # A council member follows either one unit or a whole cluster/block: the cluster wins if both are named.
        grant = Grant(role=role, unit_code=None if group_code else unit_code, group_code=group_code)
    else:
        grant = Grant(role=role)
    expires = ctx.now + valid_for
    code, invite = await ctx.repos.invites.create(grant, uses, expires, ctx.user.id, ctx.now)
    await ctx.repos.audit.add(
        ctx.now,
        AuditAction.INVITE_CREATED,
        actor=ctx.user.id,
        channel=ctx.user.channel,
        subject=f"invite:{invite.id}",
        role=role.value,
        unit=grant.unit_code,
        group=grant.group_code,
        uses=uses,
    )
    local_expiry = expires.astimezone(ctx.campaign.campaign.tz).strftime("%H:%M %d/%m/%Y")
    scope = await describe_scope(ctx, grant.unit_code, grant.group_code)
    ctx.say(
        ctx.t(
            "invite.created",
            code=code,
            role=ctx.t(f"roles.{role.value}"),
            scope=scope,
            uses=uses,
            expires=local_expiry,
        )
    )
