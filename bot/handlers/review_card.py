"""A nomination as the secretariat sees it: the card put before the desk, the buttons a state offers, and
the short button values that still mean the same thing after a restart (Telegram keeps at most 64 bytes)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.conversation.buttons import ReviewButton
from bot.conversation.messages import Choice, Reply
from bot.domain.nomination import Nomination, NominationStatus, NomineeKind
from bot.domain.policy import Action, allowed, roles_of
from bot.domain.review import OPEN, Question, ReviewState, stage
from bot.domain.text import shorten
from bot.engine.context import Context, Services
from bot.storage.desk import DeskChat
from bot.storage.repos import Repos

PREFIX = ReviewButton.prefix + ":"
DEED_SHOWN = 300
OUTBOX_KIND = "review"


@dataclass(frozen=True)
class Press:
    """A review button as pressed: its verb and the values after it."""

    verb: str
    args: tuple[str, ...]

    def number(self, index: int) -> int | None:
        try:
            return int(self.args[index])
        except (IndexError, ValueError):
            return None

    def text(self, index: int) -> str | None:
        return self.args[index] if index < len(self.args) else None


def value(verb: str, subject: int, stage: str | None = None, publish: int | None = None) -> str:
    return ReviewButton(verb=verb, subject=subject, stage=stage, publish=publish).pack()


def parse(raw: str) -> Press | None:
    button = ReviewButton.unpack(raw)
    if button is None or not button.verb:
        return None
    args = [str(button.subject), button.stage, None if button.publish is None else str(int(button.publish))]
    while args and args[-1] is None:
        args.pop()
    return Press(button.verb, tuple(a or "" for a in args))


# -- what a state offers ---------------------------------------------------------------------------------
def actions(services: Services, lang: str, state: ReviewState) -> list[Choice]:
    """The buttons for what can be done with the nomination now. Each carries the stage it was made for, so
    a decision pressed on an old copy loses to whatever happened since."""
    t = services.catalog.t
    n = state.nomination
    evidence = (
        [Choice(label=t(lang, "review.button.evidence", count=n.evidence_count), value=value("evidence", n.id))]
        if n.evidence_count
        else []
    )
    if state.merged_into is not None:
        return evidence
    at = stage(state.status)
    if state.status in OPEN:
        choices = [
            Choice(label=t(lang, "review.button.approve"), value=value("approve", n.id, at)),
            Choice(label=t(lang, "review.button.ask"), value=value("ask", n.id, at)),
            Choice(label=t(lang, "review.button.reject"), value=value("reject", n.id, at)),
        ]
        if state.duplicate_of is not None:
            label = t(lang, "review.button.merge", reference=state.duplicate_of)
            choices.append(Choice(label=label, value=value("merge", n.id, at)))
        return choices + evidence
    if state.status is NominationStatus.APPROVED:
        if not state.for_publication:
            return [Choice(label=t(lang, "review.button.mark_publication"), value=value("pub", n.id)), *evidence]
        choices = []
        if state.consent_needed:
            choices.append(Choice(label=t(lang, "review.button.consent"), value=value("consent", n.id)))
        if state.publishable:
            choices.append(Choice(label=t(lang, "review.button.publish"), value=value("publish", n.id)))
        return choices + evidence
    return evidence


def columns(state: ReviewState) -> int:
    # Approve / Ask / Reject are short enough for one row; a merge button then gets a row of its own.
    return 3 if state.status in OPEN and state.merged_into is None else 1


# -- the card --------------------------------------------------------------------------------------------
async def card_lines(
    repos: Repos,
    services: Services,
    lang: str,
    state: ReviewState,
    *,
    contacts: bool,
    heading: str,
) -> list[str]:
    t = services.catalog.t
    n = state.nomination
    units = repos.units
    unit = await units.get(n.unit_code)
    category = services.campaign.category(n.category_code)
    kind = "individual" if n.nominee_kind is NomineeKind.INDIVIDUAL else "collective"
    lines = [
        heading,
        t(lang, f"review.card.nominee_{kind}", name=n.nominee_name),
        t(lang, "review.card.unit", unit=unit.name if unit else n.unit_code),
        t(lang, "review.card.category", category=category.name.get(lang) if category else n.category_code),
        t(lang, "review.card.deed", deed=shorten(n.deed, DEED_SHOWN)),
        t(lang, "review.card.evidence", count=n.evidence_count)
        if n.evidence_count
        else t(lang, "review.card.evidence_none"),
        nominator_line(services, lang, n, contacts=contacts),
    ]
    if n.on_behalf_of_unit:
        by = await units.get(n.on_behalf_of_unit)
        lines.append(t(lang, "review.card.on_behalf", unit=by.name if by else n.on_behalf_of_unit))
    if state.merged_into is not None:
        lines.append(t(lang, "review.card.merged", reference=state.merged_into))
    elif state.duplicate_of is not None:
        lines.append(t(lang, "review.card.duplicate", reference=state.duplicate_of))
    if state.for_publication:
        lines.append(t(lang, "review.card.for_publication"))
    if state.consent_needed:
        lines.append(t(lang, "review.card.consent_needed"))
    elif state.consent_at is not None:
        lines.append(t(lang, "review.card.consent_recorded"))
    return lines


def nominator_line(services: Services, lang: str, n: Nomination, *, contacts: bool) -> str:
    t = services.catalog.t
    if n.anonymous or not n.nominator_name:
        return t(lang, "review.card.anonymous")
    if n.nominator_phone and contacts:
        return t(lang, "review.card.nominator_phone", name=n.nominator_name, phone=n.nominator_phone)
    # Not even part of the number for anyone else: a masked number is still a clue to whose it is.
    return t(lang, "review.card.nominator", name=n.nominator_name)


def question_lines(services: Services, lang: str, questions: list[Question]) -> list[str]:
    t = services.catalog.t
    lines: list[str] = []
    for q in questions:
        lines.append(t(lang, "review.card.question", question=shorten(q.question, 300)))
        if q.answered_at is None:
            lines.append(t(lang, "review.card.no_answer"))
            continue
        if q.answer:
            lines.append(t(lang, "review.card.answer", answer=shorten(q.answer, 300)))
        if q.files:
            lines.append(t(lang, "review.card.answer_files", count=q.files))
    return lines


async def may_see_contacts(repos: Repos, chat: DeskChat) -> bool:
    """A person's chat shows what their roles allow. A shared desk chat shows no phone number: whoever is in
    the group is not known to hold a role that may see one."""
    if chat.user_id is None:
        return False
    return allowed(roles_of(await repos.roles.grants_of(chat.user_id)), Action.SEE_CONTACTS)


def desk_reply(services: Services, chat: DeskChat, lines: list[str], state: ReviewState) -> Reply:
    """A message to one desk chat, with the state's buttons where someone can press them. Telegram passes on
    nothing pressed in a group, so a shared chat gets the card to read and a word on where to act."""
    if chat.user_id is None:
        hint = services.catalog.t(chat.lang, "review.card.shared_hint")
        return Reply(text="\n".join([*lines, "", hint]))
    return Reply(text="\n".join(lines), choices=tuple(actions(services, chat.lang, state)), columns=columns(state))


# -- putting a new nomination before the desk -------------------------------------------------------------
async def post_for_review(ctx: Context, nomination: Nomination) -> None:
    """Flag a likely duplicate and queue the card to every desk chat, in the submission's own transaction."""
    repos = ctx.repos
    repo = repos.review
    earlier = await repo.earliest_duplicate(nomination)
    if not await repo.mark_posted(nomination, earlier.id if earlier else None, ctx.now):
        return
    services = ctx.services
    chats = await repos.desk.chats(services.desk_chats)
    if not chats:
        return  # no desk to show a card: its state is not read
    state = await repo.state(nomination.reference)
    assert state is not None
    for chat in chats:
        heading = services.catalog.t(chat.lang, "review.card.new", reference=nomination.reference)
        lines = await card_lines(
            repos, services, chat.lang, state, contacts=await may_see_contacts(repos, chat), heading=heading
        )
        await repos.outbox.enqueue(
            f"review:card:{nomination.id}:{chat.key}",
            chat.channel,
            chat.chat_id,
            desk_reply(services, chat, lines, state),
            OUTBOX_KIND,
            ctx.now,
            user_id=chat.user_id,
        )
