"""A Vietnamese mobile number, typed or shared with the messenger's contact button."""

from __future__ import annotations

from collections.abc import Callable

from bot.conversation.messages import Choice, Kind
from bot.conversation.session import Session
from bot.domain.input_text import phone_problem
from bot.domain.text import normalize_vn_mobile
from bot.engine.context import Context
from bot.handlers.flow import Flow, Outcome, Step
from bot.handlers.text_step import typed_text

# Longer than any way of writing a phone number: what is longer is not read as one.
TYPED_MAX = 40


class PhoneStep(Step):
    """Texts under `texts`: question, not_own (a contact card that is not the person's own) and invalid."""

    accepts_contact = True

    def __init__(self, key: str, texts: str, *, applies: Callable[[Session], bool] | None = None) -> None:
        self.key = key
        self.texts = texts
        self._applies = applies

    def applies(self, session: Session) -> bool:
        return self._applies is None or self._applies(session)

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t(f"{self.texts}.question"), []

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        incoming = ctx.incoming
        if incoming.kind is Kind.CONTACT and not incoming.contact_is_own:
            # A contact card forwarded from the address book is someone else's number, not the person's.
            ctx.say(ctx.t(f"{self.texts}.not_own"))
            return Outcome.REASK
        raw = incoming.contact_phone if incoming.kind is Kind.CONTACT else typed_text(ctx)
        # A shared contact is the messenger's own number: only typed numbers are told what is wrong with them.
        problem = phone_problem(raw) if raw and incoming.kind is Kind.TEXT and len(raw) < TYPED_MAX else None
        if problem is not None:
            reason, values = problem
            ctx.say(ctx.t(f"text_rules.phone.{reason}", **values))
            return Outcome.REASK
        phone = normalize_vn_mobile(raw or "") if raw and len(raw) < TYPED_MAX else None
        if phone is None:
            ctx.say(ctx.t(f"{self.texts}.invalid"))
            return Outcome.REASK
        ctx.session.data[self.key] = phone
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return str(ctx.session.data[self.key])
