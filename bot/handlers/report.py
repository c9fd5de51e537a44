"""/baocao: a unit representative reports progress for an open reporting period, step by step.

Reporting again for the same unit and period makes a new version: the earlier answers are filled in and
the representative lands on the summary, to change only what changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from bot.domain.campaign import Campaign, Indicator, ReportingPeriod
from bot.domain.nomination import EvidenceFile
from bot.domain.policy import represented_units
from bot.domain.reports import (
    NARRATIVE_MAX,
    NARRATIVE_MIN,
    AreaReport,
    NewReport,
    format_number,
    parse_number,
    within_bounds,
)
from bot.domain.text import fold, normalize_text, shorten
from bot.engine.context import Context
from bot.engine.messages import Choice, Kind
from bot.handlers.files_step import FilesStep
from bot.handlers.flow import Flow, Outcome, Step
from bot.storage.audit import audit
from bot.storage.files import FileRepo
from bot.storage.reports import ReportRepo
from bot.storage.units import UnitRepo


def local_today(ctx: Context) -> dt.date:
    return ctx.now.astimezone(ctx.campaign.campaign.tz).date()


def open_periods(campaign: Campaign, unit: dict[str, Any], today: dt.date) -> list[ReportingPeriod]:
    return [
        p
        for p in campaign.reporting_periods
        if p.accepts_on(today) and p.owed_by.includes(unit["code"], unit["kind"], unit.get("group"))
    ]


def _unit_info(ctx: Context) -> dict[str, Any]:
    code = ctx.session.data.get("unit")
    return next((u for u in ctx.session.data.get("_units", []) if u["code"] == code), {})


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
        if value is None or value not in {u["code"] for u in ctx.session.data.get("_units", [])}:
            ctx.say(ctx.t("input.pick_choice"))
            return Outcome.REASK
        ctx.session.data[self.key] = value
        ctx.session.data.pop("period", None)
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return str(_unit_info(ctx).get("name", ctx.session.data.get(self.key)))


class PeriodStep(Step):
    key = "period"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        periods = open_periods(ctx.campaign, _unit_info(ctx), local_today(ctx))
        return ctx.t("report.period.question"), [
            Choice(
                label=ctx.t(
                    "report.period.choice", name=p.name.get(ctx.lang), deadline=p.deadline.strftime("%d/%m/%Y")
                ),
                value=flow.value(self.key, p.code),
            )
            for p in periods
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        data = ctx.session.data
        codes = {p.code for p in open_periods(ctx.campaign, _unit_info(ctx), local_today(ctx))}
        if value is None or value not in codes:
            ctx.say(ctx.t("input.pick_choice"))
            return Outcome.REASK
        data[self.key] = value
        previous = await ReportRepo(ctx.conn).latest(value, data["unit"])
        if previous is not None and not data.get("_prefilled"):
            # An amendment: start from what was sent and go straight to the summary.
            data["_prefilled"] = previous.version
            data["areas"] = [a.area_code for a in previous.areas]
            for area in previous.areas:
                data[f"narr:{area.area_code}"] = area.narrative
                for code, number in area.values.items():
                    data[f"ind:{area.area_code}:{code}"] = number
            data["files"] = [f.model_dump() for f in previous.files]
            ctx.session.editing = True
            ctx.say(ctx.t("report.amending", version=previous.version, next=previous.version + 1))
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        period = ctx.campaign.period(ctx.session.data[self.key])
        return period.name.get(ctx.lang) if period else str(ctx.session.data[self.key])


class AreasStep(Step):
    """Several content areas: each tap ticks or unticks one, then Done."""

    key = "areas"
    DONE = "_done"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        data = ctx.session.data
        picked: list[str] = data.get("_picked", data.get(self.key, []))
        choices = [
            Choice(
                label=("☑ " if area.code in picked else "☐ ") + area.name.get(ctx.lang),
                value=flow.value(self.key, area.code),
            )
            for area in ctx.campaign.content_areas
        ]
        choices.append(
            Choice(label=ctx.t("report.areas.done", count=len(picked)), value=flow.value(self.key, self.DONE))
        )
        return ctx.t("report.areas.question"), choices

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        data = ctx.session.data
        picked: list[str] = data.setdefault("_picked", list(data.get(self.key, [])))
        if value == self.DONE:
            if not picked:
                ctx.say(ctx.t("report.areas.none_picked"))
                return Outcome.REASK
            data[self.key] = [a.code for a in ctx.campaign.content_areas if a.code in picked]
            data.pop("_picked")
            return Outcome.NEXT
        code = value
        if code is None:
            words = fold(normalize_text(ctx.incoming.text or "")) if ctx.incoming.kind is Kind.TEXT else ""
            found = [a for a in ctx.campaign.content_areas if words and words in fold(a.name.get(ctx.lang))]
            if len(found) != 1:
                ctx.say(ctx.t("report.areas.how"))
                return Outcome.REASK
            code = found[0].code
        if ctx.campaign.area(code) is None:
            ctx.say(ctx.t("input.pick_choice"))
            return Outcome.REASK
        if code in picked:
            picked.remove(code)
        else:
            picked.append(code)
        return Outcome.REASK

    def shown(self, ctx: Context) -> str:
        names = [a.name.get(ctx.lang) for a in ctx.campaign.content_areas if a.code in ctx.session.data[self.key]]
        return "; ".join(names)


class NarrativeStep(Step):
    def __init__(self, area_code: str, area_name: str) -> None:
        self.key = f"narr:{area_code}"
        self.area_code = area_code
        self.area_name = area_name

    def applies(self, data: dict[str, Any]) -> bool:
        return self.area_code in data.get("areas", [])

    def label(self, ctx: Context, flow: Flow) -> str:
        return ctx.t("report.narrative.label", area=shorten(self.area_name, 40))

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t("report.narrative.question", area=self.area_name, min=NARRATIVE_MIN, max=NARRATIVE_MAX), []

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
        self.key = f"ind:{area_code}:{indicator.code}"
        self.area_code = area_code
        self.indicator = indicator

    def applies(self, data: dict[str, Any]) -> bool:
        return self.area_code in data.get("areas", [])

    def label(self, ctx: Context, flow: Flow) -> str:
        return self.indicator.name.get(ctx.lang)

    def _bounds(self, ctx: Context) -> str:
        low, high = self.indicator.min, self.indicator.max
        if low is not None and high is not None:
            return ctx.t("report.indicator.between", min=format_number(low), max=format_number(high))
        if low is not None:
            return ctx.t("report.indicator.at_least", min=format_number(low))
        if high is not None:
            return ctx.t("report.indicator.at_most", max=format_number(high))
        return ""

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        kind = ctx.t(f"report.indicator.{self.indicator.type}")
        return (
            ctx.t(
                "report.indicator.question",
                name=self.indicator.name.get(ctx.lang),
                unit=self.indicator.unit.get(ctx.lang),
                kind=kind,
                bounds=self._bounds(ctx),
            ).rstrip(),
            [],
        )

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        text = ctx.incoming.text or "" if ctx.incoming.kind is Kind.TEXT else ""
        number = parse_number(text, self.indicator) if len(text) < 40 else None
        if number is None:
            ctx.say(ctx.t(f"report.indicator.not_{self.indicator.type}"))
            return Outcome.REASK
        if not within_bounds(number, self.indicator):
            ctx.say(ctx.t("report.indicator.out_of_bounds", value=format_number(number), bounds=self._bounds(ctx)))
            return Outcome.REASK
        ctx.session.data[self.key] = number
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return f"{format_number(float(ctx.session.data[self.key]))} {self.indicator.unit.get(ctx.lang)}"


class ReportFlow(Flow):
    name = "report"
    steps: ClassVar[list[Step]] = [UnitChoiceStep(), PeriodStep(), AreasStep()]
    files = FilesStep("files", "report.files")

    def all_steps(self, data: dict[str, Any], campaign: Campaign) -> list[Step]:
        per_area: list[Step] = []
        for code in data.get("areas", []):
            area = campaign.area(code)
            if area is None:
                continue
            per_area.append(NarrativeStep(code, area.name.get("vi")))
            per_area.extend(IndicatorStep(code, indicator) for indicator in area.indicators)
        return [*self.steps, *per_area, self.files]

    async def start(self, ctx: Context) -> None:
        codes = represented_units(await ctx.grants())
        units = []
        repo = UnitRepo(ctx.conn)
        for code in codes:
            unit = await repo.get(code)
            if unit is not None and unit.active:
                units.append({"code": unit.code, "name": unit.name, "kind": unit.kind, "group": unit.group})
        today = local_today(ctx)
        units = [u for u in units if open_periods(ctx.campaign, u, today)]
        if not units:
            ctx.say(ctx.t("report.nothing_open"))
            return
        ctx.session.start(self.name, "unit")
        ctx.session.data["_units"] = units
        if len(units) == 1:
            ctx.session.data["unit"] = units[0]["code"]
            ctx.session.step = "period"
        ctx.say(ctx.t("flow.started", title=self.title(ctx)))
        self.prompt(ctx)

    def summary_header(self, ctx: Context) -> list[str]:
        info = _unit_info(ctx)
        return [ctx.t("report.summary_unit", unit=info.get("name", ""))]

    async def submit(self, ctx: Context) -> None:
        data = ctx.session.data
        missing = next((s for s in self.applicable(ctx) if not s.answered(data)), None)
        if missing is not None:
            ctx.session.editing = True
            self._go(ctx, missing.key)
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
            values = {i.code: float(data[f"ind:{code}:{i.code}"]) for i in indicators}
            areas.append(AreaReport(area_code=code, narrative=data[f"narr:{code}"], values=values))
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
            "report.amended" if report.version > 1 else "report.submitted",
            actor=ctx.user.id,
            channel=ctx.user.channel,
            subject=report.reference,
            unit=unit.code,
            period=period.code,
            late=late,
        )
        ctx.session.clear()
        key = "report.submitted_late" if late else "report.submitted"
        ctx.say(ctx.t(key, reference=report.reference, unit=unit.name, period=period.name.get(ctx.lang)))
