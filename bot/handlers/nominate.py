"""/decu: nominate "good people, good deeds" (đề cử người tốt, việc tốt), step by step."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from bot.conversation.session import Session
from bot.domain.audit import AuditAction
from bot.domain.input_text import deed_problem, name_problem
from bot.domain.nomination import (
    DEED_MAX,
    DEED_MIN,
    NAME_MAX,
    NAME_MIN,
    EvidenceFile,
    NewNomination,
    NomineeKind,
)
from bot.domain.policy import Action
from bot.domain.roles import represented_units
from bot.engine.context import Context
from bot.handlers.category_step import CategoryStep
from bot.handlers.files_step import FilesStep
from bot.handlers.flow import Flow, Step
from bot.handlers.phone_step import PhoneStep
from bot.handlers.pick_step import ConsentStep, PickOne
from bot.handlers.review_card import post_for_review
from bot.handlers.text_step import BoundedText, NameOrAnonymous, Problem, TextRule
from bot.handlers.unit_lookup import UnitSearch


def _kind(session: Session) -> str:
    return str(session.data.get("kind", NomineeKind.INDIVIDUAL.value))


def _rep_units(session: Session) -> list[list[str]]:
    """The units the person represents and may nominate for, looked up when the draft started."""
    units: list[list[str]] = session.facts.get("rep_units", [])
    return units


def _named(session: Session) -> bool:
    return not session.data.get("nominator", {}).get("anonymous", False)


def _deed_problem(text: str) -> Problem | None:
    reason = deed_problem(text)
    return (reason, {}) if reason is not None else None


NAME = TextRule(NAME_MIN, NAME_MAX, "nominate.name.bad_length", problem=name_problem, problem_texts="text_rules.name")
DEED = TextRule(
    DEED_MIN,
    DEED_MAX,
    "nominate.deed.too_short",
    "nominate.deed.too_long",
    problem=_deed_problem,
    problem_texts="text_rules.deed",
)
NOMINATOR = TextRule(
    NAME_MIN,
    NAME_MAX,
    "nominate.nominator.bad_name",
    problem=name_problem,
    problem_texts="text_rules.name",
    problem_hint="text_rules.or_anonymous",
)


class NominateFlow(Flow):
    name = "nominate"
    action = Action.NOMINATE
    steps: ClassVar[list[Step]] = [
        # A representative of several units says which of them makes the nomination.
        PickOne(
            "on_behalf",
            "nominate.on_behalf.question",
            lambda ctx: [(code, name) for code, name in _rep_units(ctx.session)],
            applies=lambda session: len(_rep_units(session)) > 1,
        ),
        PickOne(
            "kind",
            "nominate.kind.question",
            lambda ctx: [(k.value, ctx.t(f"nominate.kind.{k.value}")) for k in NomineeKind],
        ),
        BoundedText(
            "name",
            lambda ctx: f"nominate.name.question_{_kind(ctx.session)}",
            NAME,
            label=lambda ctx: ctx.t(f"nominate.name.label_{_kind(ctx.session)}"),
        ),
        UnitSearch("unit", "nominate.unit.question", "nominate.unit"),
        CategoryStep("category", "nominate.category"),
        BoundedText("deed", "nominate.deed.question", DEED, shown_max=300),
        FilesStep("evidence", "nominate.evidence"),
        NameOrAnonymous("nominator", "nominate.nominator", NOMINATOR, named_only=("phone",)),
        PhoneStep("phone", "nominate.phone", applies=_named),
        ConsentStep("consent", "nominate.consent", lambda session: "named" if _named(session) else "anonymous"),
    ]
    columns: ClassVar[dict[str, int]] = {"kind": 2}

    async def prepare(self, ctx: Context) -> bool:
        # A unit representative nominates for their unit: which units, asked once here for the whole draft.
        if await ctx.may(Action.NOMINATE_FOR_UNIT):
            repo = ctx.repos.units
            units = [await repo.get(code) for code in represented_units(await ctx.grants())]
            ctx.session.facts["rep_units"] = [[u.code, u.name] for u in units if u is not None and u.active]
        return True

    def _on_behalf(self, session: Session) -> str | None:
        units = _rep_units(session)
        if len(units) == 1:
            return units[0][0]
        return session.data.get("on_behalf") if len(units) > 1 else None

    def summary_header(self, ctx: Context) -> list[str]:
        code = self._on_behalf(ctx.session)
        name = next((n for c, n in _rep_units(ctx.session) if c == code), code)
        return [ctx.t("nominate.on_behalf.header", unit=name)] if code else []

    async def _unit_making_it(self, ctx: Context) -> str | None:
        """The unit the nomination is recorded as made by, if the person still represents it now."""
        code = self._on_behalf(ctx.session)
        if code is None or not await ctx.may(Action.NOMINATE_FOR_UNIT):
            return None
        return code if code in represented_units(await ctx.grants()) else None

    async def submit(self, ctx: Context) -> None:
        data = ctx.session.data
        nominator = data["nominator"]
        anonymous = bool(nominator.get("anonymous"))
        evidence = [EvidenceFile.model_validate(f) for f in data.get("evidence", [])]
        new = NewNomination(
            campaign_code=ctx.campaign.campaign.code,
            submitted_by=ctx.user.id,
            channel=ctx.user.channel,
            nominee_kind=NomineeKind(data["kind"]),
            nominee_name=data["name"],
            unit_code=data["unit"],
            category_code=data["category"],
            deed=data["deed"],
            anonymous=anonymous,
            nominator_name=None if anonymous else nominator.get("name"),
            nominator_phone=None if anonymous else data.get("phone"),
            evidence=evidence,
            consent_at=dt.datetime.fromisoformat(data["consent"]),
            on_behalf_of_unit=await self._unit_making_it(ctx),
        )
        files = ctx.repos.files
        for item in evidence:
            await files.record(item, ctx.now)
        year = ctx.now.astimezone(ctx.campaign.campaign.tz).year
        nomination = await ctx.repos.nominations.create(new, year, ctx.now)
        await ctx.repos.audit.add(
            ctx.now,
            AuditAction.NOMINATION_SUBMITTED,
            actor=ctx.user.id,
            channel=ctx.user.channel,
            subject=nomination.reference,
            unit=nomination.unit_code,
            on_behalf_of=nomination.on_behalf_of_unit,
        )
        await post_for_review(ctx, nomination)
        ctx.session.clear()
        ctx.say(ctx.t("nominate.submitted", reference=nomination.reference, name=nomination.nominee_name))
