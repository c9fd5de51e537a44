"""/decu: nominate "good people, good deeds" (đề cử người tốt, việc tốt), step by step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, ClassVar

from bot.conversation.messages import Choice, Kind
from bot.domain.audit import AuditAction
from bot.domain.campaign import Category
from bot.domain.input_text import deed_problem, name_problem, phone_problem
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
from bot.domain.text import normalize_text, normalize_vn_mobile, shorten
from bot.domain.units import Unit, UnitRef
from bot.engine.context import Context
from bot.handlers.files_step import FilesStep
from bot.handlers.flow import Flow, Outcome, Step
from bot.handlers.review_card import post_for_review
from bot.handlers.unit_lookup import former_unit
from bot.storage.audit import audit
from bot.storage.files import FileRepo
from bot.storage.nominations import NominationRepo
from bot.storage.units import UnitRepo

MAX_UNIT_CHOICES = 8


def _text(ctx: Context) -> str:
    return normalize_text(ctx.incoming.text or "") if ctx.incoming.kind is Kind.TEXT else ""


def _need_choice(ctx: Context) -> Outcome:
    ctx.say(ctx.t("input.pick_choice"))
    return Outcome.REASK


class KindStep(Step):
    key = "kind"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t("nominate.kind.question"), [
            Choice(label=ctx.t(f"nominate.kind.{k.value}"), value=flow.value(self.key, k.value)) for k in NomineeKind
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        if value not in {k.value for k in NomineeKind}:
            return _need_choice(ctx)
        ctx.session.data[self.key] = value
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return ctx.t(f"nominate.kind.{ctx.session.data[self.key]}")


class NameStep(Step):
    key = "name"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        kind = ctx.session.data.get("kind", NomineeKind.INDIVIDUAL.value)
        return ctx.t(f"nominate.name.question_{kind}", min=NAME_MIN, max=NAME_MAX), []

    def label(self, ctx: Context, flow: Flow) -> str:
        kind = ctx.session.data.get("kind", NomineeKind.INDIVIDUAL.value)
        return ctx.t(f"nominate.name.label_{kind}")

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        text = _text(ctx)
        if not text or len(text) < NAME_MIN or len(text) > NAME_MAX:
            ctx.say(ctx.t("nominate.name.bad_length", min=NAME_MIN, max=NAME_MAX, length=len(text)))
            return Outcome.REASK
        problem = name_problem(text)
        if problem is not None:
            reason, values = problem
            ctx.say(ctx.t(f"text_rules.name.{reason}", **values))
            return Outcome.REASK
        ctx.session.data[self.key] = text
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return str(ctx.session.data[self.key])


class UnitStep(Step):
    """Typing part of a unit's name finds it, with or without diacritics; several matches become choices."""

    key = "unit"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        matches: list[list[str]] = ctx.session.data.get("_unit_matches", [])
        if matches:
            choices = [Choice(label=name, value=flow.value(self.key, code)) for code, name in matches]
            return ctx.t("nominate.unit.pick_one"), choices
        return ctx.t("nominate.unit.question"), []

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        data = ctx.session.data
        if value is not None:
            picked = next((name for code, name in data.get("_unit_matches", []) if code == value), None)
            if picked is None:
                return _need_choice(ctx)
            return self._pick(data, value, picked)
        query = _text(ctx)
        if not query or len(query) > 200:
            ctx.say(ctx.t("nominate.unit.type_a_name"))
            return Outcome.REASK
        found: Sequence[Unit | UnitRef] = await UnitRepo(ctx.conn).search(query)
        if not found:
            # A name from before the 2025 mergers finds the unit that holds it now, and says so.
            found = await former_unit(ctx, query)
        if len(found) == 1:
            return self._pick(data, found[0].code, found[0].name)
        data.pop("_unit_matches", None)
        if not found:
            ctx.say(ctx.t("nominate.unit.not_found", query=shorten(query, 60)))
            return Outcome.REASK
        if len(found) > MAX_UNIT_CHOICES:
            ctx.say(ctx.t("nominate.unit.too_many", count=len(found)))
            return Outcome.REASK
        data["_unit_matches"] = [[u.code, u.name] for u in found]
        return Outcome.REASK

    def _pick(self, data: dict[str, Any], code: str, name: str) -> Outcome:
        data[self.key] = code
        data["_unit_name"] = name
        data.pop("_unit_matches", None)
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return str(ctx.session.data.get("_unit_name") or ctx.session.data[self.key])


class CategoryStep(Step):
    """A movement, or (one tap further) one of the content areas; typing part of a name finds it."""

    key = "category"
    AREAS = "_areas"
    MOVEMENTS = "_movements"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        data = ctx.session.data
        view = data.get("_category_view", "movements")
        movements = Choice(label=ctx.t("nominate.category.show_movements"), value=flow.value(self.key, self.MOVEMENTS))
        if view == "matches":
            picked = [c for c in ctx.campaign.categories if c.code in data.get("_category_matches", [])]
            return ctx.t("nominate.category.pick_one"), [*self._choices(ctx, flow, picked), movements]
        if view == "areas":
            areas = self._choices(ctx, flow, ctx.campaign.content_areas)
            return ctx.t("nominate.category.question_areas"), [*areas, movements]
        show_areas = Choice(
            label=ctx.t("nominate.category.show_areas", count=len(ctx.campaign.content_areas)),
            value=flow.value(self.key, self.AREAS),
        )
        return ctx.t("nominate.category.question"), [
            *self._choices(ctx, flow, ctx.campaign.movements),
            show_areas,
        ]

    @staticmethod
    def _choices(ctx: Context, flow: Flow, categories: list[Category]) -> list[Choice]:
        return [Choice(label=c.name.get(ctx.lang), value=flow.value("category", c.code)) for c in categories]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        data = ctx.session.data
        if value == self.AREAS:
            data["_category_view"] = "areas"
            return Outcome.REASK
        if value == self.MOVEMENTS:
            data["_category_view"] = "movements"
            return Outcome.REASK
        if value is not None:
            if ctx.campaign.category(value) is None:
                return _need_choice(ctx)
            return self._pick(data, value)
        query = _text(ctx)
        found = ctx.campaign.search_categories(query, ctx.lang) if 0 < len(query) <= 200 else []
        if len(found) == 1:
            return self._pick(data, found[0].code)
        if found:
            data["_category_view"] = "matches"
            data["_category_matches"] = [c.code for c in found]
            return Outcome.REASK
        ctx.say(ctx.t("nominate.category.not_found"))
        return Outcome.REASK

    def _pick(self, data: dict[str, Any], code: str) -> Outcome:
        data[self.key] = code
        data.pop("_category_view", None)
        data.pop("_category_matches", None)
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        category = ctx.campaign.category(ctx.session.data[self.key])
        return category.name.get(ctx.lang) if category else str(ctx.session.data[self.key])


class DeedStep(Step):
    key = "deed"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t("nominate.deed.question", min=DEED_MIN, max=DEED_MAX), []

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        text = _text(ctx)
        if len(text) < DEED_MIN:
            ctx.say(ctx.t("nominate.deed.too_short", min=DEED_MIN, length=len(text)))
            return Outcome.REASK
        if len(text) > DEED_MAX:
            ctx.say(ctx.t("nominate.deed.too_long", max=DEED_MAX, length=len(text)))
            return Outcome.REASK
        if (reason := deed_problem(text)) is not None:
            ctx.say(ctx.t(f"text_rules.deed.{reason}"))
            return Outcome.REASK
        ctx.session.data[self.key] = text
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return shorten(str(ctx.session.data[self.key]), 300)


class NominatorStep(Step):
    key = "nominator"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t("nominate.nominator.question"), [
            Choice(label=ctx.t("nominate.nominator.anonymous"), value=flow.value(self.key, "anonymous"))
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        data = ctx.session.data
        if value == "anonymous":
            data[self.key] = {"anonymous": True}
            data.pop("phone", None)
            return Outcome.NEXT
        text = _text(ctx)
        if len(text) < NAME_MIN or len(text) > NAME_MAX:
            ctx.say(ctx.t("nominate.nominator.bad_name", min=NAME_MIN, max=NAME_MAX))
            return Outcome.REASK
        problem = name_problem(text)
        if problem is not None:
            reason, values = problem
            ctx.say(f"{ctx.t(f'text_rules.name.{reason}', **values)}\n{ctx.t('text_rules.or_anonymous')}")
            return Outcome.REASK
        data[self.key] = {"anonymous": False, "name": text}
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        nominator = ctx.session.data[self.key]
        if nominator.get("anonymous"):
            return ctx.t("nominate.nominator.anonymous_shown")
        return str(nominator["name"])


class PhoneStep(Step):
    key = "phone"
    accepts_contact = True

    def applies(self, data: dict[str, Any]) -> bool:
        return not data.get("nominator", {}).get("anonymous", False)

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t("nominate.phone.question"), []

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        incoming = ctx.incoming
        if incoming.kind is Kind.CONTACT and not incoming.contact_is_own:
            # A contact card forwarded from the address book is someone else's number, not the nominator's.
            ctx.say(ctx.t("nominate.phone.not_own"))
            return Outcome.REASK
        raw = incoming.contact_phone if incoming.kind is Kind.CONTACT else _text(ctx)
        # A shared contact is the messenger's own number: only typed numbers are told what is wrong with them.
        problem = phone_problem(raw) if raw and incoming.kind is Kind.TEXT and len(raw) < 40 else None
        if problem is not None:
            reason, values = problem
            ctx.say(ctx.t(f"text_rules.phone.{reason}", **values))
            return Outcome.REASK
        phone = normalize_vn_mobile(raw or "") if raw and len(raw) < 40 else None
        if phone is None:
            ctx.say(ctx.t("nominate.phone.invalid"))
            return Outcome.REASK
        ctx.session.data[self.key] = phone
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return str(ctx.session.data[self.key])


class ConsentStep(Step):
    key = "consent"

    def _variant(self, ctx: Context) -> str:
        anonymous = ctx.session.data.get("nominator", {}).get("anonymous", False)
        return "anonymous" if anonymous else "named"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t(f"nominate.consent.question_{self._variant(ctx)}"), [
            Choice(label=ctx.t("nominate.consent.agree"), value=flow.value(self.key, "agree")),
            Choice(label=ctx.t("nominate.consent.disagree"), value=flow.value(self.key, "disagree")),
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        if value == "agree":
            ctx.session.data[self.key] = ctx.now.isoformat()
            return Outcome.NEXT
        if value == "disagree":
            ctx.session.data.pop(self.key, None)
            ctx.say(ctx.t("nominate.consent.required"))
            return Outcome.REASK
        return _need_choice(ctx)

    def shown(self, ctx: Context) -> str:
        return ctx.t("nominate.consent.shown")


class OnBehalfStep(Step):
    """A representative of several units says which of them makes the nomination."""

    key = "on_behalf"

    def applies(self, data: dict[str, Any]) -> bool:
        return len(data.get("_rep_units", [])) > 1

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t("nominate.on_behalf.question"), [
            Choice(label=name, value=flow.value(self.key, code)) for code, name in ctx.session.data["_rep_units"]
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        if value not in {code for code, _ in ctx.session.data.get("_rep_units", [])}:
            return _need_choice(ctx)
        ctx.session.data[self.key] = value
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        code = ctx.session.data[self.key]
        return next((name for c, name in ctx.session.data.get("_rep_units", []) if c == code), str(code))


class NominateFlow(Flow):
    name = "nominate"
    action = Action.NOMINATE
    steps: ClassVar[list[Step]] = [
        OnBehalfStep(),
        KindStep(),
        NameStep(),
        UnitStep(),
        CategoryStep(),
        DeedStep(),
        FilesStep("evidence", "nominate.evidence"),
        NominatorStep(),
        PhoneStep(),
        ConsentStep(),
    ]
    columns: ClassVar[dict[str, int]] = {"kind": 2}

    async def prepare(self, ctx: Context) -> bool:
        # A unit representative nominates for their unit: which units, asked once here for the whole draft.
        if await ctx.may(Action.NOMINATE_FOR_UNIT):
            repo = UnitRepo(ctx.conn)
            units = [await repo.get(code) for code in represented_units(await ctx.grants())]
            ctx.session.data["_rep_units"] = [[u.code, u.name] for u in units if u is not None and u.active]
        return True

    def _on_behalf(self, data: dict[str, Any]) -> str | None:
        units: list[list[str]] = data.get("_rep_units", [])
        if len(units) == 1:
            return units[0][0]
        return data.get("on_behalf") if len(units) > 1 else None

    def summary_header(self, ctx: Context) -> list[str]:
        code = self._on_behalf(ctx.session.data)
        name = next((n for c, n in ctx.session.data.get("_rep_units", []) if c == code), code)
        return [ctx.t("nominate.on_behalf.header", unit=name)] if code else []

    async def _unit_making_it(self, ctx: Context) -> str | None:
        """The unit the nomination is recorded as made by, if the person still represents it now."""
        code = self._on_behalf(ctx.session.data)
        if code is None or not await ctx.may(Action.NOMINATE_FOR_UNIT):
            return None
        return code if code in represented_units(await ctx.grants()) else None

    async def submit(self, ctx: Context) -> None:
        data = ctx.session.data
        missing = next((s for s in self.applicable(ctx) if not s.answered(data)), None)
        if missing is not None:
            ctx.session.editing = True
            self._go(ctx, missing.key)
            return
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
        files = FileRepo(ctx.conn, ctx.services.files)
        for item in evidence:
            await files.record(item, ctx.now)
        year = ctx.now.astimezone(ctx.campaign.campaign.tz).year
        nomination = await NominationRepo(ctx.conn).create(new, year, ctx.now)
        await audit(
            ctx.conn,
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
