"""/cuatoi: the nominations this user has submitted, newest first."""

from __future__ import annotations

from bot.engine.context import Context
from bot.storage.nominations import NominationRepo

SHOWN = 20


async def my_nominations(ctx: Context) -> None:
    repo = NominationRepo(ctx.conn)
    nominations = await repo.by_submitter(ctx.user.id, limit=SHOWN)
    if not nominations:
        ctx.say(ctx.t("mine.empty"))
        return
    tz = ctx.campaign.campaign.tz
    lines = [ctx.t("mine.title"), ""]
    for n in nominations:
        lines.append(
            ctx.t(
                "mine.item",
                reference=n.reference,
                date=n.created_at.astimezone(tz).strftime("%d/%m/%Y"),
                name=n.nominee_name,
                status=ctx.t(f"status.{n.status.value}"),
            )
        )
    total = await repo.count_by_submitter(ctx.user.id)
    if total > SHOWN:
        lines += ["", ctx.t("mine.more", shown=SHOWN, total=total)]
    ctx.say("\n".join(lines))
