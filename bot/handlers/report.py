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
from typing import Any, ClassVar

from bot.conversation.session import Session
from bot.domain.audit import AuditAction
from bot.domain.campaign import Campaign, ReportingPeriod
from bot.domain.nomination import EvidenceFile
from bot.domain.policy import Action
from bot.domain.reports import NARRATIVE_MAX, NARRATIVE_MIN, AreaReport, NewReport
from bot.domain.roles import represented_units
from bot.domain.text import shorten
from bot.domain.units import Unit
from bot.engine.context import Context
from bot.handlers.files_step import FilesStep
from bot.handlers.flow import Flow, Outcome, Step
from bot.handlers.multi_choice_step import PickSeveral
from bot.handlers.number_step import NumberStep
from bot.handlers.pick_step import PickOne
from bot.handlers.refusal import refuse
from bot.handlers.text_step import BoundedText, TextRule

NARRATIVE_PREFIX, INDICATOR_PREFIX = "narr:", "ind:"
NARRATIVE = TextRule(NARRATIVE_MIN, NARRATIVE_MAX, "report.narrative.length")


def local_today(ctx: Context) -> dt.date:
    return ctx.now.astimezone(ctx.campaign.campaign.tz).date()


def open_periods(campaign: Campaign, unit: dict[str, Any], today: dt.date) -> list[ReportingPeriod]:
    """The periods accepting a report from the unit today (after the deadline too, until they close)."""
    return [
        p
        for p in campaign.reporting_periods
        if p.accepts_on(today) and p.owed_by.includes(unit["code"], unit["kind"], unit.get("group"))
    ]


def _units(session: Session) -> list[dict[str, Any]]:
    """The units the person may report for with a period open, looked up when the draft started."""
    units: list[dict[str, Any]] = session.facts.get("units", [])
    return units


def _unit_info(ctx: Context) -> dict[str, Any]:
    code = ctx.session.data.get("unit")
    return next((u for u in _units(ctx.session) if u["code"] == code), {})


def _period_choices(ctx: Context) -> list[tuple[str, str]]:
    data = ctx.session.data
    sent: dict[str, int] = ctx.session.facts.get("sent_by_unit", {}).get(data.get("unit", ""), {})
    choices = []
    for p in open_periods(ctx.campaign, _unit_info(ctx), local_today(ctx)):
        label = ctx.t("report.period.choice", name=p.name.get(ctx.lang), deadline=p.deadline.strftime("%d/%m/%Y"))
        if p.code in sent:
            label += " · " + ctx.t("report.period.sent", version=sent[p.code])
        choices.append((p.code, label))
    return choices


def _period_name(ctx: Context, code: str) -> str:
    period = ctx.campaign.period(code)
    return period.name.get(ctx.lang) if period else code


async def _fill_in_last_version(ctx: Context, period: str) -> Outcome:
    """A unit and period reported before: the last version's answers are filled in and the summary follows,
    to change only what changed. What was answered for another unit or period does not carry over."""
    session = ctx.session
    data, facts = session.data, session.facts
    basis = f"{data['unit']}/{period}"
    if facts.get("basis") == basis:
        return Outcome.NEXT
    facts["basis"] = basis
    facts.pop("amends", None)
    previous = await ctx.repos.reports.latest(period, data["unit"])
    if previous is None:
        return Outcome.NEXT
    for key in [k for k in data if k.startswith((NARRATIVE_PREFIX, INDICATOR_PREFIX))]:
        session.forget(key)
    session.forget("areas")
    facts["amends"] = previous.version
    data["areas"] = [a.area_code for a in previous.areas if ctx.campaign.area(a.area_code) is not None]
    for area in previous.areas:
        data[f"{NARRATIVE_PREFIX}{area.area_code}"] = area.narrative
        for code, number in area.values.items():
            data[f"{INDICATOR_PREFIX}{area.area_code}:{code}"] = number
    data["files"] = [f.model_dump() for f in previous.files]
    # Straight to the summary (or to a question the campaign added since the last version).
    session.editing = True
    ctx.say(ctx.t("report.amending", version=previous.version, next=previous.version + 1))
    return Outcome.NEXT


def _narrative_step(area_code: str) -> Step:
    def area_name(ctx: Context) -> str:
        area = ctx.campaign.area(area_code)
        return area.name.get(ctx.lang) if area else area_code

    return BoundedText(
        f"{NARRATIVE_PREFIX}{area_code}",
        "report.narrative.question",
        NARRATIVE,
        question_values=lambda ctx: {"area": area_name(ctx)},
        label=lambda ctx: ctx.t("report.narrative.label", area=shorten(area_name(ctx), 40)),
        shown_max=200,
    )


class ReportFlow(Flow):
    name = "report"
    action = Action.REPORT
    steps: ClassVar[list[Step]] = [
        PickOne(
            "unit",
            "report.unit.question",
            lambda ctx: [(u["code"], u["name"]) for u in _units(ctx.session)],
            applies=lambda session: len(_units(session)) > 1,
            resets=("period",),  # the other unit may owe other periods
        ),
        PickOne("period", "report.period.question", _period_choices, shown=_period_name, then=_fill_in_last_version),
        PickSeveral(
            "areas",
            "report.areas",
            lambda ctx: [(area.code, area.name.get(ctx.lang)) for area in ctx.campaign.content_areas],
        ),
    ]
    files = FilesStep("files", "report.files")

    def all_steps(self, data: dict[str, Any], campaign: Campaign) -> list[Step]:
        per_area: list[Step] = []
        for code in data.get("areas", []):
            area = campaign.area(code)
            if area is None:
                continue
            per_area.append(_narrative_step(code))
            per_area.extend(
                NumberStep(f"{INDICATOR_PREFIX}{code}:{i.code}", i, "report.indicator") for i in area.indicators
            )
        return [*self.steps, *per_area, self.files]

    async def _reportable_units(self, ctx: Context) -> list[Unit]:
        repo = ctx.repos.units
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
        ctx.session.facts["units"] = units
        if len(units) == 1:
            ctx.session.data["unit"] = units[0]["code"]
        reports = ctx.repos.reports
        periods = [p.code for p in ctx.campaign.reporting_periods if p.accepts_on(today)]
        sent: dict[str, dict[str, int]] = {}
        for s in await reports.submissions(periods, [u["code"] for u in units]):
            sent.setdefault(s.unit_code, {})[s.period_code] = s.version
        ctx.session.facts["sent_by_unit"] = sent
        return True

    def summary_header(self, ctx: Context) -> list[str]:
        lines = [ctx.t("report.summary_unit", unit=_unit_info(ctx).get("name", ""))]
        amends = ctx.session.facts.get("amends")
        if amends:
            lines.append(ctx.t("report.summary_amends", version=amends, next=amends + 1))
        return lines

    async def submit(self, ctx: Context) -> None:
        data = ctx.session.data
        # Asked again at the moment it counts: a role can be withdrawn while a draft waits.
        if not await ctx.may(Action.REPORT) or data["unit"] not in represented_units(await ctx.grants()):
            ctx.session.clear()
            refuse(ctx, Action.REPORT)
            return
        period = ctx.campaign.period(data["period"])
        unit = await ctx.repos.units.get(data["unit"])
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
        file_repo = ctx.repos.files
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
        report = await ctx.repos.reports.create(new, unit.version_id, ctx.campaign.campaign.year, late, ctx.now)
        await ctx.repos.audit.add(
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
