"""/khenthuong (/commend): on an approved nomination the secretariat proposes a form of commendation.

The person picks the nomination (or names it: "/khenthuong NTVT-2026-000001"), how the commendation comes
(regular, thematic, ad hoc) and the form, among those of the award catalogue in force today for that kind
of recipient. Picking a form shows at once what is met, what is not and what the bot cannot know, with the
article each criterion comes from; nothing is refused for it: the proposal records what was seen.
"""

from __future__ import annotations

from typing import Any, ClassVar

from bot.awards_loader import catalogue
from bot.conversation.messages import Choice, Kind
from bot.conversation.session import Session
from bot.domain.audit import AuditAction
from bot.domain.awards import AwardForm, Catalogue, Criterion, Eligibility, FactValue, Outcome, Recipient, check
from bot.domain.commendation import Method
from bot.domain.nomination import Nomination, NominationStatus
from bot.domain.policy import Action
from bot.domain.text import shorten
from bot.engine.context import Context
from bot.handlers.flow import Flow, Step
from bot.handlers.flow import Outcome as StepOutcome
from bot.handlers.multi_choice_step import MultiChoiceStep

# The nomination step's answer is the nomination's reference; the nomination itself is read again on each
# input (CommendFlow.recall) under the same key of ctx.looked_up.
NOMINATION = "nomination"
# Whether the conversation began with no nomination named, so the ones waiting for a proposal are offered
# (a fact); what is offered is read again (CommendFlow.recall), so one proposed meanwhile is not.
CHOOSE = "choose"
PICKABLE = "pickable"
MARKS = {Outcome.MET: "✅", Outcome.NOT_MET: "❌", Outcome.UNKNOWN: "❔"}
COMMENDABLE = (NominationStatus.APPROVED, NominationStatus.PUBLISHED)


def picked_form(ctx: Context, data: dict[str, Any]) -> AwardForm | None:
    return catalogue().form(str(data.get("form", "")), ctx.now.astimezone(ctx.campaign.campaign.tz).date())


def verifiable(criterion: Criterion) -> tuple[str, FactValue] | None:
    """The fact and the value that meet a criterion the secretariat can tick as verified (a yes/no or a
    rating); None for numbers (shares, years), any-of criteria and reviewer questions."""
    if criterion.fact is None:
        return None
    if criterion.is_ is not None:
        return criterion.fact, criterion.is_
    if criterion.in_:
        return criterion.fact, criterion.in_[0]
    return None


def facts_of(ctx: Context, data: dict[str, Any]) -> dict[str, FactValue]:
    """What the bot knows of the recipient: an ad hoc commendation is for an ad hoc achievement, and what
    the secretariat ticked as verified. Everything else stays unknown for the reviewer to weigh."""
    facts: dict[str, FactValue] = {}
    if data.get("method") == Method.AD_HOC.value:
        facts["ad_hoc_achievement"] = True
    form = picked_form(ctx, data)
    ticked = set(data.get("verified", []))
    for criterion in form.criteria if form is not None else []:
        fact = verifiable(criterion) if criterion.code in ticked else None
        if fact is not None:
            facts[fact[0]] = fact[1]
    return facts


def picked_nomination(ctx: Context) -> Nomination | None:
    """The nomination picked, as the database holds it now."""
    found: Nomination | None = ctx.looked_up.get(NOMINATION)
    return found


def recipient_of(nomination: Nomination | None) -> Recipient:
    return Recipient(nomination.nominee_kind.value if nomination is not None else Recipient.INDIVIDUAL.value)


def eligibility(ctx: Context, data: dict[str, Any]) -> Eligibility | None:
    form = picked_form(ctx, data)
    recipient = recipient_of(picked_nomination(ctx))
    return check(form, recipient, facts_of(ctx, data)) if form is not None else None


def eligibility_lines(ctx: Context, result: Eligibility, book: Catalogue) -> list[str]:
    lines = [ctx.t("commend.check.title", form=result.form.name.get(ctx.lang), basis=book.basis(result.form))]
    if not result.recipient_ok:
        lines.append(f"{MARKS[Outcome.NOT_MET]} {ctx.t('commend.check.recipient')}")
    for r in result.results:
        lines.append(f"{MARKS[r.outcome]} {r.criterion.words(ctx.lang)} ({r.criterion.article})")
    lines.append(ctx.t(f"commend.check.overall.{result.outcome.value}"))
    return lines


def _remember(ctx: Context, nomination: Nomination) -> None:
    ctx.session.data[NOMINATION] = nomination.reference
    ctx.looked_up[NOMINATION] = nomination


class NominationStep(Step):
    key = "nomination"

    def applies(self, session: Session) -> bool:
        return bool(session.facts.get(CHOOSE)) or NOMINATION not in session.data

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        pickable: list[list[str]] = ctx.looked_up.get(PICKABLE, [])
        choices = [
            Choice(label=f"{ref} · {shorten(name, 40)}", value=flow.value(self.key, ref)) for ref, name in pickable
        ]
        return ctx.t("commend.nomination.question"), choices

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> StepOutcome:
        typed = (ctx.incoming.text or "").strip().upper()[:40] if ctx.incoming.kind is Kind.TEXT else ""
        wanted = value or typed
        nomination = await ctx.repos.nominations.by_reference(wanted) if wanted else None
        if nomination is None or nomination.status not in COMMENDABLE:
            ctx.say(ctx.t("commend.nomination.not_approved", reference=wanted or "—"))
            return StepOutcome.REASK
        _remember(ctx, nomination)
        return StepOutcome.NEXT

    def shown(self, ctx: Context) -> str:
        picked = picked_nomination(ctx)
        name = picked.nominee_name if picked is not None else ""
        return f"{ctx.session.data.get(NOMINATION, '—')} · {name}"


class MethodStep(Step):
    key = "method"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t("commend.method.question"), [
            Choice(label=ctx.t(f"commend.method.{m.value}"), value=flow.value(self.key, m.value)) for m in Method
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> StepOutcome:
        if value not in {m.value for m in Method}:
            ctx.say(ctx.t("input.pick_choice"))
            return StepOutcome.REASK
        ctx.session.data[self.key] = value
        return StepOutcome.NEXT

    def shown(self, ctx: Context) -> str:
        return ctx.t(f"commend.method.{ctx.session.data[self.key]}")


class FormStep(Step):
    key = "form"

    def _forms(self, ctx: Context) -> list[tuple[str, str]]:
        today = ctx.now.astimezone(ctx.campaign.campaign.tz).date()
        recipient = recipient_of(picked_nomination(ctx))
        return [(f.code, f.name.get(ctx.lang)) for f in catalogue().in_force(today) if recipient in f.recipients]

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t("commend.form.question"), [
            Choice(label=name, value=flow.value(self.key, code)) for code, name in self._forms(ctx)
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> StepOutcome:
        if value not in {code for code, _ in self._forms(ctx)}:
            ctx.say(ctx.t("input.pick_choice"))
            return StepOutcome.REASK
        if ctx.session.data.get(self.key) != value:
            # Ticks were for another form's criteria.
            ctx.session.data.pop("verified", None)
        ctx.session.data[self.key] = value
        result = eligibility(ctx, ctx.session.data)
        if result is not None:
            ctx.say("\n".join(eligibility_lines(ctx, result, catalogue())))
        return StepOutcome.NEXT

    def shown(self, ctx: Context) -> str:
        code = str(ctx.session.data[self.key])
        return next((name for c, name in self._forms(ctx) if c == code), code)


class VerifiedStep(MultiChoiceStep):
    """The checkable criteria of the picked form the secretariat has verified (law-abiding, tasks done
    well, no member disciplined…), ticked; what is left unticked stays unknown, never "not met"."""

    def __init__(self) -> None:
        super().__init__("verified", "commend.verified", at_least=0)

    def applies(self, session: Session) -> bool:
        data = session.data
        # Counted until a form is picked; then asked only if that form has something to tick.
        code = data.get("form")
        return code is None or any(
            verifiable(c) is not None for f in catalogue().forms if f.code == code for c in f.criteria
        )

    def options(self, ctx: Context) -> list[tuple[str, str]]:
        form = picked_form(ctx, ctx.session.data)
        if form is None:
            return []
        return [(c.code, c.words(ctx.lang)) for c in form.criteria if verifiable(c) is not None]

    def shown(self, ctx: Context) -> str:
        picked = super().shown(ctx)
        return picked or ctx.t("commend.verified.nothing")


class CommendFlow(Flow):
    name = "commend"
    action = Action.COMMEND
    steps: ClassVar[list[Step]] = [NominationStep(), MethodStep(), FormStep(), VerifiedStep()]

    def summary_header(self, ctx: Context) -> list[str]:
        result = eligibility(ctx, ctx.session.data)
        return eligibility_lines(ctx, result, catalogue()) if result is not None else []

    async def prepare(self, ctx: Context) -> bool:
        wanted = ctx.incoming.args.strip().upper()[:40]
        if wanted:
            nomination = await ctx.repos.nominations.by_reference(wanted)
            if nomination is None or nomination.status not in COMMENDABLE:
                ctx.say(ctx.t("commend.nomination.not_approved", reference=wanted))
                return False
            _remember(ctx, nomination)
            return True
        if not await ctx.repos.commendations.approved_without_proposal(COMMENDABLE):
            ctx.say(ctx.t("commend.nomination.none"))
            return False
        ctx.session.facts[CHOOSE] = True
        return True

    async def recall(self, ctx: Context) -> None:
        reference = ctx.session.data.get(NOMINATION)
        if reference is not None:
            ctx.looked_up[NOMINATION] = await ctx.repos.nominations.by_reference(str(reference))
        if ctx.session.facts.get(CHOOSE):
            ctx.looked_up[PICKABLE] = await ctx.repos.commendations.approved_without_proposal(COMMENDABLE)

    async def submit(self, ctx: Context) -> None:
        data = dict(ctx.session.data)
        reference = str(data.get(NOMINATION) or "—")
        # Read again at the moment it counts (recall read it before this input, for the summary).
        nomination = await ctx.repos.nominations.by_reference(reference)
        ctx.looked_up[NOMINATION] = nomination
        result = eligibility(ctx, data)
        if nomination is None or nomination.status not in COMMENDABLE or result is None:
            ctx.session.clear()
            ctx.say(ctx.t("commend.nomination.not_approved", reference=reference))
            return
        ctx.session.clear()
        year = ctx.now.astimezone(ctx.campaign.campaign.tz).year
        proposal = await ctx.repos.commendations.propose(
            nomination.id, result, recipient_of(nomination), Method(data["method"]), ctx.user.id, ctx.now, year
        )
        await ctx.repos.audit.add(
            ctx.now,
            AuditAction.COMMENDATION_PROPOSED,
            actor=ctx.user.id,
            channel=ctx.user.channel,
            subject=proposal.reference,
            nomination=nomination.reference,
            form=proposal.form_code,
            eligibility=proposal.eligibility.value,
        )
        ctx.say(
            ctx.t(
                "commend.proposed",
                reference=proposal.reference,
                name=nomination.nominee_name,
                form=result.form.name.get(ctx.lang),
            )
        )
