"""/xuat: the secretariat takes the data out as files: the workbook, the "Hương Sen" bulletin, the
compilation of the period's reports.

"/xuat 6T xlsx" makes the file at once; "/xuat" (or "/xuat 6T") asks for what is missing: the period or a
recent date range, then which file. An administrator adds "lienhe" for a workbook with the nominators'
phone numbers. The files are written from a read of their own into the data folder, then sent as documents.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from bot.conversation.messages import Choice, OutgoingFile
from bot.conversation.numbers import whole_number
from bot.domain.export_rows import ExportKind, ExportScope, parse_range, range_problem
from bot.domain.policy import Action
from bot.engine.context import Context
from bot.exports.making import AUDIT_EXPORT, ExportRequest, MadeFile, make_exports
from bot.handlers.flow import Flow, Outcome, Step
from bot.handlers.refusal import insist
from bot.handlers.report import local_today
from bot.handlers.stat_export import export_form, form_words
from bot.storage.files import remove_older_than

RECENT_DAYS = (7, 30)
ALL = "all"
KIND_WORDS = {
    "xlsx": ExportKind.XLSX.value,
    "excel": ExportKind.XLSX.value,
    "bangtinh": ExportKind.XLSX.value,
    "bantin": ExportKind.BULLETIN.value,
    "huongsen": ExportKind.BULLETIN.value,
    "bulletin": ExportKind.BULLETIN.value,
    "tonghop": ExportKind.COMPILATION.value,
    "baocao": ExportKind.COMPILATION.value,
    "compilation": ExportKind.COMPILATION.value,
    "tatca": ALL,
    "all": ALL,
}
CONTACT_WORDS = {"lienhe", "contacts", "sdt"}
# Files made for the chat are sent once; what is left in the folder (phone numbers, perhaps) goes after this.
KEPT_SECONDS = 2 * 24 * 3600


def exports_folder(ctx: Context) -> Path:
    return ctx.services.files.root / "exports"


def scope_of(ctx: Context, value: str) -> ExportScope | None:
    """A stored scope answer ("period:6T", "days:7" or "range:2026-10-01..2026-10-31") as a scope."""
    kind, _, rest = value.partition(":")
    if kind == "period":
        period = ctx.campaign.period(rest)
        return ExportScope.of_period(period) if period else None
    days = whole_number(rest, max_digits=4) if kind == "days" else None
    if days is not None:
        return ExportScope.last_days(days, local_today(ctx))
    if kind == "range":
        return parse_range(rest)
    return None


def read_scope(ctx: Context, word: str) -> str | None:
    """What a typed word names as a scope, in the form the session keeps it."""
    period = next((p for p in ctx.campaign.reporting_periods if p.code.lower() == word.lower()), None)
    if period is not None:
        return f"period:{period.code}"
    days = re.fullmatch(r"(\d{1,3})\s*(d|ngay|ngày|days?)", word.lower())
    if days and 1 <= int(days.group(1)) <= 366:
        return f"days:{int(days.group(1))}"
    scope = parse_range(word)
    return f"range:{scope.start.isoformat()}..{scope.end.isoformat()}" if scope else None


def describe_scope(ctx: Context, value: str) -> str:
    scope = scope_of(ctx, value)
    if scope is None:
        return value
    if scope.period is not None:
        return scope.period.name.get(ctx.lang)
    return scope.dates()


class ScopeStep(Step):
    key = "scope"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        choices = [
            Choice(label=p.name.get(ctx.lang), value=flow.value(self.key, f"period:{p.code}"))
            for p in ctx.campaign.reporting_periods
        ]
        choices += [
            Choice(label=ctx.t("export.scope.last_days", days=days), value=flow.value(self.key, f"days:{days}"))
            for days in RECENT_DAYS
        ]
        return ctx.t("export.scope.question"), choices

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        typed = (ctx.incoming.text or "").strip()
        found = value if value is not None else read_scope(ctx, typed[:60]) if typed else None
        if found is None or scope_of(ctx, found) is None:
            problem = range_problem(typed[:60]) if typed else "not_dates"
            key = "export.scope.bad" if problem == "not_dates" else f"export.scope.bad_{problem}"
            ctx.say(ctx.t(key, text=typed[:60]))
            return Outcome.REASK
        ctx.session.data[self.key] = found
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return describe_scope(ctx, ctx.session.data.get(self.key, ""))


class KindStep(Step):
    key = "kind"
    options: ClassVar[list[str]] = [*(k.value for k in ExportKind), ALL]

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t("export.kind.question"), [
            Choice(label=ctx.t(f"export.kind.{option}"), value=flow.value(self.key, option)) for option in self.options
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        typed = (ctx.incoming.text or "").strip().lower()
        found = value if value is not None else KIND_WORDS.get(typed)
        if found not in self.options:
            ctx.say(ctx.t("input.pick_choice"))
            return Outcome.REASK
        ctx.session.data[self.key] = found
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return ctx.t(f"export.kind.{ctx.session.data.get(self.key, ALL)}")


class ExportFlow(Flow):
    name = "export"
    action = Action.EXPORT
    steps: ClassVar[list[Step]] = [ScopeStep(), KindStep()]

    def summary_header(self, ctx: Context) -> list[str]:
        return [ctx.t("export.with_contacts")] if ctx.session.data.get("contacts") else []

    async def prepare(self, ctx: Context) -> bool:
        """Take what the command's words already say; with the period and the file named, make it now."""
        data = ctx.session.data
        asked = form_words(ctx.incoming.args.split()[:6])
        if asked is not None:
            # "/xuat 0603 2026": the year's statistical form, made at once.
            await export_form(ctx, *asked)
            return False
        for word in ctx.incoming.args.split()[:6]:
            lowered = word.lower()
            if lowered in KIND_WORDS:
                data["kind"] = KIND_WORDS[lowered]
            elif lowered in CONTACT_WORDS:
                data["contacts"] = True
            elif (scope := read_scope(ctx, word[:60])) is not None:
                data["scope"] = scope
            else:
                ctx.say(ctx.t("export.unknown_word", word=word[:40]))
                return False
        if data.get("contacts") and not await insist(ctx, Action.EXPORT_CONTACTS):
            return False
        if "scope" in data and "kind" in data:
            await self.commit(ctx)
            return False
        # What the words answered is not asked again: from each answer, on to the next one missing.
        ctx.session.editing = "scope" in data or "kind" in data
        return True

    async def submit(self, ctx: Context) -> None:
        data: dict[str, Any] = dict(ctx.session.data)
        ctx.session.clear()
        # Phone numbers leave only with the right to take them, asked again now as the export itself is.
        if data.get("contacts") and not await insist(ctx, Action.EXPORT_CONTACTS):
            return
        scope = scope_of(ctx, data.get("scope", ""))
        if scope is None:
            ctx.say(ctx.t("export.scope.bad", text=""))
            return
        kind = data.get("kind", ALL)
        kinds = list(ExportKind) if kind == ALL else [ExportKind(kind)]
        request = ExportRequest(scope=scope, kinds=kinds, with_contacts=bool(data.get("contacts")), lang=ctx.lang)
        database = await ctx.repos.database_file()
        if database is None:
            ctx.say(ctx.t("errors.internal"))
            return
        folder = exports_folder(ctx)
        # Who took which data out is recorded with the request, in the update's transaction.
        await ctx.repos.audit.add(
            ctx.now,
            AUDIT_EXPORT,
            actor=ctx.user.id,
            channel=ctx.user.channel,
            subject=scope.slug(),
            kinds=[k.value for k in kinds],
            with_contacts=request.with_contacts,
        )
        now = ctx.now

        async def write_files() -> None:
            # After the commit: a province-sized workbook takes a while, and other people's updates must not
            # wait for it behind the write lock. The export reads its own snapshot of the database.
            remove_older_than(folder, KEPT_SECONDS)
            made = await make_exports(database, ctx.campaign, ctx.services.catalog, request, now, folder=folder)
            for file in made:
                ctx.say(
                    describe_file(ctx, file, scope),
                    file=OutgoingFile(path=file.path, filename=file.filename, mime=file.mime),
                )
            if request.with_contacts:
                ctx.say(ctx.t("export.contacts_warning"))

        ctx.after_commit.append(write_files)


def describe_file(ctx: Context, file: MadeFile, scope: ExportScope) -> str:
    what = ctx.t(f"export.kind.{file.kind.value}")
    when = scope.period.name.get(ctx.lang) if scope.period else scope.dates()
    return ctx.t("export.made", what=what, when=when, counts=ctx.t(f"export.counts.{file.kind.value}", **file.counts))
