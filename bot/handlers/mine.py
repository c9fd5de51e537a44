"""/cuatoi: the nominations this user has submitted, newest first, each with what the nominator can do
next: the question the secretariat asked (and how to answer it), the reason of a rejection."""

from __future__ import annotations

from bot.domain.nomination import Nomination, NominationStatus
from bot.domain.text import shorten
from bot.engine.context import Context

SHOWN = 20
QUOTED = 300


async def my_nominations(ctx: Context) -> None:
    repo = ctx.repos.nominations
    nominations = await repo.by_submitter(ctx.user.id, limit=SHOWN)
    if not nominations:
        ctx.say(ctx.t("mine.empty"))
        return
    lines = [ctx.t("mine.title"), ""]
    for n in nominations:
        lines += await item_lines(ctx, n)
    total = await repo.count_by_submitter(ctx.user.id)
    if total > SHOWN:
        lines += ["", ctx.t("mine.more", shown=SHOWN, total=total)]
    ctx.say("\n".join(lines))


async def show_one(ctx: Context, nomination: Nomination) -> None:
    """The nominator's own nomination opened by its reference."""
    ctx.say("\n".join(await item_lines(ctx, nomination)))


async def item_lines(ctx: Context, n: Nomination) -> list[str]:
    tz = ctx.campaign.campaign.tz
    lines = [
        ctx.t(
            "mine.item",
            reference=n.reference,
            date=n.created_at.astimezone(tz).strftime("%d/%m/%Y"),
            name=n.nominee_name,
            status=ctx.t(f"status.{n.status.value}"),
        )
    ]
    repo = ctx.repos.review
    if n.status is NominationStatus.NEEDS_INFO:
        open_questions = [q for q in await repo.questions_of(n.id) if q.answered_at is None]
        for question in open_questions:
            lines.append(ctx.t("mine.question", question=shorten(question.question, QUOTED)))
        if open_questions:
            lines.append(ctx.t("mine.answer_hint", max=ctx.services.max_files))
    elif n.status is NominationStatus.REJECTED:
        state = await repo.state_by_id(n.id)
        if state is not None and state.last_reason:
            lines.append(ctx.t("mine.reason", reason=shorten(state.last_reason, QUOTED)))
    return lines
