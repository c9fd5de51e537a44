"""/baocao: a unit representative reports progress for an open reporting period, step by step.

Which unit (when the person represents several), which open period, which content areas (several), then
for each area picked a short narrative and the value of each of its indicators, optional attachments, and
the summary. The per-area questions are steps built from the answers (ReportFlow.all_steps), so numbering,
back, edit and resume work on them as on any other step.

Reporting again for the same unit and period makes a new version: the last version's answers are filled in
and the representative lands on the summary, to change only what changed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from bot.conversation.messages import Choice, Kind
from bot.domain.audit import AuditAction
from bot.domain.campaign import Campaign, Indicator, ReportingPeriod
from bot.domain.nomination import EvidenceFile
from bot.domain.policy import Action
from bot.domain.reports import (
    NARRATIVE_MAX,
    NARRATIVE_MIN,
    AreaReport,
    NewReport,
    format_number,
    parse_number,
    within_bounds,
)
from bot.domain.roles import represented_units
from bot.domain.text import normalize_text, shorten
from bot.domain.units import Unit
from bot.engine.context import Context
from bot.handlers.files_step import FilesStep
from bot.handlers.flow import Flow, Outcome, Step
from bot.handlers.multi_choice_step import MultiChoiceStep
from bot.handlers.refusal import refuse
from bot.storage.audit import audit
from bot.storage.files import FileRepo
from bot.storage.reports import ReportRepo
from bot.storage.units import UnitRepo

NARRATIVE_PREFIX, INDICATOR_PREFIX = "narr:", "ind:"


def local_today(ctx: Context) -> dt.date:
    return ctx.now.astimezone(ctx.campaign.campaign.tz).date()


def open_periods(campaign: Campaign, unit: dict[str, Any], today: dt.date) -> list[ReportingPeriod]:
    """The periods accepting a report from the unit today (after the deadline too, until they close)."""
    return [
        p
        for p in campaign.reporting_periods
        if p.accepts_on(today) and p.owed_by.includes(unit["code"], unit["kind"], unit.get("group"))
    ]


def _unit_info(ctx: Context) -> dict[str, Any]:
    code = ctx.session.data.get("unit")
    return next((u for u in ctx.session.data.get("_units", []) if u["code"] == code), {})


def _need_choice(ctx: Context) -> Outcome:
    ctx.say(ctx.t("input.pick_choice"))
    return Outcome.REASK


class UnitChoiceStep(Step):
    key = "unit"

    def applies(self, data: dict[str, Any]) -> bool:
        return len(data.get("_units", [])) > 1

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        units = ctx.session.data.get("_units", [])
        return ctx.t("report.unit.question"), [
            Choice(label=u["name"], value=flow.value(self.key, u["code"])) for u in units
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        data = ctx.session.data
        if value is None or value not in {u["code"] for u in data.get("_units", [])}:
            return _need_choice(ctx)
        if data.get(self.key) != value:
            data[self.key] = value
            data.pop("period", None)  # the other unit may owe other periods
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return str(_unit_info(ctx).get("name", ctx.session.data.get(self.key)))


class PeriodStep(Step):
    key = "period"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        periods = open_periods(ctx.campaign, _unit_info(ctx), local_today(ctx))
        data = ctx.session.data
        sent: dict[str, int] = data.get("_sent_by_unit", {}).get(data.get("unit", ""), {})
        choices = []
        for p in periods:
            label = ctx.t("report.period.choice", name=p.name.get(ctx.lang), deadline=p.deadline.strftime("%d/%m/%Y"))
            if p.code in sent:
                label += " · " + ctx.t("report.period.sent", version=sent[p.code])
            choices.append(Choice(label=label, value=flow.value(self.key, p.code)))
        return ctx.t("report.period.question"), choices

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        data = ctx.session.data
        codes = {p.code for p in open_periods(ctx.campaign, _unit_info(ctx), local_today(ctx))}
        if value is None or value not in codes:
            return _need_choice(ctx)
        data[self.key] = value
        basis = f"{data['unit']}/{value}"
        if data.get("_basis") == basis:
            return Outcome.NEXT
        # A new unit or period: what was answered for another one does not carry over to its report.
        data["_basis"] = basis
        data.pop("_amends", None)
        previous = await ReportRepo(ctx.conn).latest(value, data["unit"])
        if previous is None:
            return Outcome.NEXT
        for key in [k for k in data if k.startswith((NARRATIVE_PREFIX, INDICATOR_PREFIX)) or k == "areas"]:
            del data[key]
        data.pop("_ticked:areas", None)
        data["_amends"] = previous.version
        data["areas"] = [a.area_code for a in previous.areas if ctx.campaign.area(a.area_code) is not None]
        for area in previous.areas:
            data[f"{NARRATIVE_PREFIX}{area.area_code}"] = area.narrative
            for code, number in area.values.items():
                data[f"{INDICATOR_PREFIX}{area.area_code}:{code}"] = number
        data["files"] = [f.model_dump() for f in previous.files]
        # Straight to the summary (or to a question the campaign added since the last version).
        ctx.session.editing = True
        ctx.say(ctx.t("report.amending", version=previous.version, next=previous.version + 1))
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        period = ctx.campaign.period(ctx.session.data[self.key])
        return period.name.get(ctx.lang) if period else str(ctx.session.data[self.key])


class AreasStep(MultiChoiceStep):
    """The content areas the report covers: several, ticked one by one."""

    def __init__(self) -> None:
        super().__init__("areas", "report.areas")

    def options(self, ctx: Context) -> list[tuple[str, str]]:
        return [(area.code, area.name.get(ctx.lang)) for area in ctx.campaign.content_areas]


class NarrativeStep(Step):
    def __init__(self, area_code: str) -> None:
        self.key = f"{NARRATIVE_PREFIX}{area_code}"
        self.area_code = area_code

    def _area_name(self, ctx: Context) -> str:
        area = ctx.campaign.area(self.area_code)
        return area.name.get(ctx.lang) if area else self.area_code

    def label(self, ctx: Context, flow: Flow) -> str:
        return ctx.t("report.narrative.label", area=shorten(self._area_name(ctx), 40))

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        area = self._area_name(ctx)
        return ctx.t("report.narrative.question", area=area, min=NARRATIVE_MIN, max=NARRATIVE_MAX), []

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        text = normalize_text(ctx.incoming.text or "") if ctx.incoming.kind is Kind.TEXT else ""
        if not NARRATIVE_MIN <= len(text) <= NARRATIVE_MAX:
            ctx.say(ctx.t("report.narrative.length", min=NARRATIVE_MIN, max=NARRATIVE_MAX, length=len(text)))
            return Outcome.REASK
        ctx.session.data[self.key] = text
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return shorten(str(ctx.session.data[self.key]), 200)


class IndicatorStep(Step):
    def __init__(self, area_code: str, indicator: Indicator) -> None:
        self.key = f"{INDICATOR_PREFIX}{area_code}:{indicator.code}"
        self.indicator = indicator

    def label(self, ctx: Context, flow: Flow) -> str:
        return self.indicator.name.get(ctx.lang)

    def _bounds(self, ctx: Context) -> str:
        low, high = self.indicator.min, self.indicator.max
        if low is not None and high is not None:
            return ctx.t(
                "report.indicator.between", min=format_number(low, ctx.lang), max=format_number(high, ctx.lang)
            )
        if low is not None:
            return ctx.t("report.indicator.at_least", min=format_number(low, ctx.lang))
        if high is not None:
            return ctx.t("report.indicator.at_most", max=format_number(high, ctx.lang))
        return ""

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        kind = ctx.t(f"report.indicator.{self.indicator.type}")
        text = ctx.t(
            "report.indicator.question",
            name=self.indicator.name.get(ctx.lang),
            unit=self.indicator.unit.get(ctx.lang),
            kind=kind,
            bounds=self._bounds(ctx),
        )
        return text.rstrip(), []

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        text = ctx.incoming.text or "" if ctx.incoming.kind is Kind.TEXT else ""
        number = parse_number(text, self.indicator) if len(text) < 40 else None
        if number is None:
            ctx.say(ctx.t(self._why_not_a_number(text)))
            return Outcome.REASK
        if not within_bounds(number, self.indicator):
            ctx.say(
                ctx.t(
                    "report.indicator.out_of_bounds",
                    value=format_number(number, ctx.lang),
                    bounds=self._bounds(ctx),
                )
            )
            return Outcome.REASK
        ctx.session.data[self.key] = number
        return Outcome.NEXT

    def _why_not_a_number(self, text: str) -> str:
        """The catalog key that says what is wrong with what was typed: "5,5" for a whole number has a
        fraction, not letters."""
        if self.indicator.type == "integer" and re.fullmatch(r"\s*[+-]?\d+[.,]\d+\s*%?\s*", text):
            return "report.indicator.not_whole"
        if any(ch.isalpha() for ch in text):
            return f"report.indicator.not_{self.indicator.type}"
        return f"report.indicator.unreadable_{self.indicator.type}"

    def shown(self, ctx: Context) -> str:
        number = format_number(float(ctx.session.data[self.key]), ctx.lang)
        return f"{number} {self.indicator.unit.get(ctx.lang)}"


class ReportFlow(Flow):
    name = "report"
    action = Action.REPORT
    steps: ClassVar[list[Step]] = [UnitChoiceStep(), PeriodStep(), AreasStep()]
    files = FilesStep("files", "report.files")

    def all_steps(self, data: dict[str, Any], campaign: Campaign) -> list[Step]:
        per_area: list[Step] = []
        for code in data.get("areas", []):
            area = campaign.area(code)
            if area is None:
                continue
            per_area.append(NarrativeStep(code))
            per_area.extend(IndicatorStep(code, indicator) for indicator in area.indicators)
        return [*self.steps, *per_area, self.files]

    async def _reportable_units(self, ctx: Context) -> list[Unit]:
        repo = UnitRepo(ctx.conn)
        units = [await repo.get(code) for code in represented_units(await ctx.grants())]
        return [u for u in units if u is not None and u.active]

    async def prepare(self, ctx: Context) -> bool:
        today = local_today(ctx)
        units: list[dict[str, Any]] = [
            {"code": u.code, "name": u.name, "kind": u.kind, "group": u.group}
            for u in await self._reportable_units(ctx)
        ]
        units = [u for u in units if open_periods(ctx.campaign, u, today)]
        if not units:
            ctx.say(ctx.t("report.nothing_open"))
            return False
        data = ctx.session.data
        data["_units"] = units
        if len(units) == 1:
            data["unit"] = units[0]["code"]
        reports = ReportRepo(ctx.conn)
        periods = [p.code for p in ctx.campaign.reporting_periods if p.accepts_on(today)]
        sent: dict[str, dict[str, int]] = {}
        for s in await reports.submissions(periods, [u["code"] for u in units]):
            sent.setdefault(s.unit_code, {})[s.period_code] = s.version
        data["_sent_by_unit"] = sent
        return True

    def summary_header(self, ctx: Context) -> list[str]:
        lines = [ctx.t("report.summary_unit", unit=_unit_info(ctx).get("name", ""))]
        amends = ctx.session.data.get("_amends")
        if amends:
            lines.append(ctx.t("report.summary_amends", version=amends, next=amends + 1))
        return lines

    async def submit(self, ctx: Context) -> None:
        data = ctx.session.data
        missing = next((s for s in self.applicable(ctx) if not s.answered(data)), None)
        if missing is not None:
            ctx.session.editing = True
            self._go(ctx, missing.key)
            return
        # Asked again at the moment it counts: a role can be withdrawn while a draft waits.
        if not await ctx.may(Action.REPORT) or data["unit"] not in represented_units(await ctx.grants()):
            ctx.session.clear()
            refuse(ctx, Action.REPORT)
            return
        period = ctx.campaign.period(data["period"])
        unit = await UnitRepo(ctx.conn).get(data["unit"])
        today = local_today(ctx)
        if period is None or not period.accepts_on(today):
            ctx.session.clear()
            ctx.say(ctx.t("report.closed"))
            return
        if unit is None or not unit.active:
            ctx.session.clear()
            ctx.say(ctx.t("report.unit_inactive"))
            return
        areas = []
        for code in data["areas"]:
            area = ctx.campaign.area(code)
            indicators = area.indicators if area else []
            values = {i.code: float(data[f"{INDICATOR_PREFIX}{code}:{i.code}"]) for i in indicators}
            areas.append(AreaReport(area_code=code, narrative=data[f"{NARRATIVE_PREFIX}{code}"], values=values))
        files = [EvidenceFile.model_validate(f) for f in data.get("files", [])]
        file_repo = FileRepo(ctx.conn, ctx.services.files)
        for item in files:
            await file_repo.record(item, ctx.now)
        new = NewReport(
            campaign_code=ctx.campaign.campaign.code,
            period_code=period.code,
            unit_code=unit.code,
            submitted_by=ctx.user.id,
            channel=ctx.user.channel,
            areas=areas,
            files=files,
        )
        late = period.is_late_on(today)
        report = await ReportRepo(ctx.conn).create(new, unit.version_id, ctx.campaign.campaign.year, late, ctx.now)
        await audit(
            ctx.conn,
            ctx.now,
            AuditAction.REPORT_AMENDED if report.version > 1 else AuditAction.REPORT_SUBMITTED,
            actor=ctx.user.id,
            channel=ctx.user.channel,
            subject=report.reference,
            unit=unit.code,
            period=period.code,
            version=report.version,
            late=late,
        )
        ctx.session.clear()
        key = "report.submitted_late" if late else "report.submitted"
        ctx.say(ctx.t(key, reference=report.reference, unit=unit.name, period=period.name.get(ctx.lang)))
