"""`/xuat 0603 2026`: the year's statistical form as a workbook, from the export command's words."""

from __future__ import annotations

from bot.conversation.messages import OutgoingFile
from bot.conversation.numbers import whole_number
from bot.domain.audit import AuditAction
from bot.engine.context import Context
from bot.exports.stat_form import MIME
from bot.exports.stat_making import FORM_CODES, gather_form


def form_words(words: list[str]) -> tuple[str, int | None] | None:
    """(form, year) when the words ask for a statistical form ("0603", "0603 2026"), else None."""
    form = next((w for w in words if w in FORM_CODES), None)
    if form is None:
        return None
    year = next((y for w in words if (y := whole_number(w, max_digits=4)) is not None and 2000 <= y <= 2100), None)
    return form, year


async def export_form(ctx: Context, short: str, year: int | None) -> None:
    year = year or ctx.now.astimezone(ctx.campaign.campaign.tz).year
    filled = await gather_form(ctx.repos.commendations, ctx.campaign, short, year)
    if filled is None:
        ctx.say(ctx.t("statform.none", form=short, year=year))
        return
    await ctx.repos.audit.add(
        ctx.now,
        AuditAction.STAT_FORM_MADE,
        actor=ctx.user.id,
        channel=ctx.user.channel,
        subject=f"{short}/{year}",
    )
    # Where /xuat puts its files (bot.handlers.export imports this module, so the path is spelled here).
    folder = ctx.services.files.root / "exports"

    async def write_file() -> None:
        path = filled.write(folder)
        info = filled.form.form
        ctx.say(
            ctx.t("statform.made", code=info.code, title=info.title, year=year, circular=info.circular),
            file=OutgoingFile(path=path, filename=path.name, mime=MIME),
        )

    ctx.after_commit.append(write_file)
