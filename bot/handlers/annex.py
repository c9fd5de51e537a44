"""/phuluc NUMBER (/annex): the list annexed to a commendation decision, as a Word file and a workbook."""

from __future__ import annotations

from bot.conversation.messages import OutgoingFile
from bot.domain.audit import AuditAction
from bot.engine.context import Context
from bot.exports.annex import DOCX_MIME, XLSX_MIME, annex_of, write_annex_docx, write_annex_xlsx
from bot.handlers.export import exports_folder


def file_stem(number: str) -> str:
    """A file name from a decision number: "1234/QĐ-UBND" → "phu-luc-1234-QD-UBND"."""
    safe = "".join(ch if ch.isalnum() and ch.isascii() else "-" for ch in number.replace("Đ", "D").replace("đ", "d"))
    return "phu-luc-" + "-".join(part for part in safe.split("-") if part)


async def make_annex(ctx: Context) -> None:
    number = ctx.incoming.args.strip()[:40]
    if not number:
        ctx.say(ctx.t("annex.usage"))
        return
    repo = ctx.repos.commendations
    decision = await repo.decision(number)
    if decision is None:
        ctx.say(ctx.t("annex.unknown", number=number))
        return
    annex = annex_of(
        decision, await repo.in_decision(number), await ctx.repos.units.display_names(), ctx.services.catalog, ctx.lang
    )
    await ctx.repos.audit.add(
        ctx.now, AuditAction.COMMENDATION_ANNEX, actor=ctx.user.id, channel=ctx.user.channel, subject=number
    )
    folder = exports_folder(ctx)
    stem = file_stem(number)
    catalog, lang = ctx.services.catalog, ctx.lang

    async def write_files() -> None:
        # After the commit, like every file the desk asks for: nobody waits behind the write lock for it.
        for kind, mime, writer in (("docx", DOCX_MIME, write_annex_docx), ("xlsx", XLSX_MIME, write_annex_xlsx)):
            path = folder / f"{stem}.{kind}"
            writer(annex, catalog, lang, path)
            what = ctx.t(f"annex.kind.{kind}")
            ctx.say(
                ctx.t("annex.made", number=number, count=len(annex.rows), what=what),
                file=OutgoingFile(path=path, filename=path.name, mime=mime),
            )

    ctx.after_commit.append(write_files)
