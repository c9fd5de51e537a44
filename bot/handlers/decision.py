"""/quyetdinh (/decide): the secretariat records the decision that grants proposals (number, date, signer).

Several proposals are ticked at once: they form one decision, whose annex lists them (/phuluc NUMBER). A
number already recorded adds to that decision when its date and signer agree, and is refused kindly when
they do not. Each nominator is told through the outbox, in their language, in the decision's transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from bot.awards_loader import catalogue
from bot.conversation.messages import Choice, Kind, Reply
from bot.domain.audit import AuditAction
from bot.domain.commendation import DecisionMismatch, Proposal
from bot.domain.policy import Action
from bot.domain.text import normalize_text, shorten
from bot.engine.context import Context
from bot.handlers.flow import Flow, Outcome, Step
from bot.handlers.multi_choice_step import MultiChoiceStep

# The facts' key for the ids of the proposals that were open when the conversation began.
OPEN = "open"
OUTBOX_KIND = "commendation"
_NUMBER = re.compile(r"^[0-9A-Za-zĐđ./_-]{1,40}$")
_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$")


def form_name(code: str, lang: str, day: dt.date) -> str:
    form = catalogue().form(code, day)
    return form.name.get(lang) if form is not None else code


class ProposalsStep(MultiChoiceStep):
    def __init__(self) -> None:
        super().__init__("proposals", "decide.proposals")

    def options(self, ctx: Context) -> list[tuple[str, str]]:
        day = ctx.now.astimezone(ctx.campaign.campaign.tz).date()
        proposals: list[Proposal] = ctx.looked_up.get(OPEN, [])
        return [
            (str(p.id), f"{p.reference} · {shorten(p.nominee_name, 30)} · {form_name(p.form_code, ctx.lang, day)}")
            for p in proposals
        ]

    def shown(self, ctx: Context) -> str:
        labels = dict(self.options(ctx))
        return "; ".join(labels.get(v, v) for v in ctx.session.data.get(self.key, []))


class TextAnswerStep(Step):
    """A short line of text: the decision's number or its signer."""

    def __init__(self, key: str, pattern: re.Pattern[str] | None, longest: int) -> None:
        self.key = key
        self.pattern = pattern
        self.longest = longest

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t(f"decide.{self.key}.question"), []

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        text = normalize_text(ctx.incoming.text or "") if ctx.incoming.kind is Kind.TEXT else ""
        if not 2 <= len(text) <= self.longest or (self.pattern is not None and not self.pattern.match(text)):
            ctx.say(ctx.t(f"decide.{self.key}.bad", longest=self.longest))
            return Outcome.REASK
        ctx.session.data[self.key] = text
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return str(ctx.session.data[self.key])


class DateStep(Step):
    key = "signed_on"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t("decide.signed_on.question"), []

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        match = _DATE.match((ctx.incoming.text or "").strip()) if ctx.incoming.kind is Kind.TEXT else None
        day: dt.date | None = None
        if match:
            try:
                day = dt.date(int(match[3]), int(match[2]), int(match[1]))
            except ValueError:
                day = None
        today = ctx.now.astimezone(ctx.campaign.campaign.tz).date()
        if day is None or day > today:
            ctx.say(ctx.t("decide.signed_on.bad", today=today.strftime("%d/%m/%Y")))
            return Outcome.REASK
        ctx.session.data[self.key] = day.isoformat()
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return dt.date.fromisoformat(ctx.session.data[self.key]).strftime("%d/%m/%Y")


class DecideFlow(Flow):
    name = "decide"
    action = Action.COMMEND
    steps: ClassVar[list[Step]] = [
        ProposalsStep(),
        TextAnswerStep("number", _NUMBER, 40),
        DateStep(),
        TextAnswerStep("signer", None, 120),
    ]

    async def prepare(self, ctx: Context) -> bool:
        waiting = await ctx.repos.commendations.open()
        if not waiting:
            ctx.say(ctx.t("decide.none"))
            return False
        ctx.session.facts[OPEN] = [p.id for p in waiting]
        return True

    async def recall(self, ctx: Context) -> None:
        # One decided meanwhile is still listed; the decision grants only those still proposed.
        ctx.looked_up[OPEN] = await ctx.repos.commendations.many(ctx.session.facts.get(OPEN, []))

    async def submit(self, ctx: Context) -> None:
        data: dict[str, Any] = dict(ctx.session.data)
        repo = ctx.repos.commendations
        ids = [int(v) for v in data.get("proposals", [])]
        signed_on = dt.date.fromisoformat(data["signed_on"])
        try:
            decision = await repo.decide(ids, data["number"], signed_on, data["signer"], ctx.user.id, ctx.now)
        except DecisionMismatch as clash:
            ctx.say(
                ctx.t(
                    "decide.number.clash",
                    number=clash.existing.number,
                    date=clash.existing.signed_on.strftime("%d/%m/%Y"),
                    signer=clash.existing.signer,
                )
            )
            ctx.session.editing = True
            self._go(ctx, "number")
            return
        ctx.session.clear()
        granted = [p for p in await repo.in_decision(decision.number) if p.id in ids]
        for proposal in granted:
            await self._tell_nominator(ctx, proposal, decision.number, signed_on, decision.signer)
        await ctx.repos.audit.add(
            ctx.now,
            AuditAction.COMMENDATION_DECIDED,
            actor=ctx.user.id,
            channel=ctx.user.channel,
            subject=decision.number,
            proposals=[p.reference for p in granted],
        )
        ctx.say(ctx.t("decide.recorded", number=decision.number, count=len(granted)))

    async def _tell_nominator(
        self, ctx: Context, proposal: Proposal, number: str, signed_on: dt.date, signer: str
    ) -> None:
        nomination = await ctx.repos.nominations.by_reference(proposal.nomination_reference)
        user = await ctx.repos.users.by_id(nomination.submitted_by) if nomination is not None else None
        if user is None:
            return
        text = ctx.services.catalog.t(
            user.lang,
            "decide.nominator",
            reference=proposal.nomination_reference,
            name=proposal.nominee_name,
            form=form_name(proposal.form_code, user.lang, signed_on),
            number=number,
            date=signed_on.strftime("%d/%m/%Y"),
            signer=signer,
        )
        await ctx.repos.outbox.enqueue(
            f"commendation:{proposal.id}",
            user.channel,
            user.chat_id,
            Reply(text=text),
            OUTBOX_KIND,
            ctx.now,
            user_id=user.id,
        )
