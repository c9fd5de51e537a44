"""The secretariat's buttons on a nomination: approve (and whether to publish), merge a duplicate, record the
nominee's consent, mark published, look at the file. Rejecting and asking for more need words from the
reviewer, so they start a short conversation (review_flow); answering is the nominator's (answer).

A press names the nomination and the stage its button was made for; the decision is taken only if the
nomination is still there, so of two reviewers pressing at once one wins and the other is told who did.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path

from bot.conversation.messages import Choice, OutgoingFile, Reply
from bot.domain.evidence import JPEG, PNG
from bot.domain.nomination import NominationStatus
from bot.domain.policy import Action
from bot.domain.review import Decision, ReviewState, allowed_from, needs_nominee_consent, stage
from bot.engine.context import Context
from bot.handlers import review_decisions as decisions
from bot.handlers.flow import Flow
from bot.handlers.refusal import insist
from bot.handlers.review_card import PREFIX, Press, actions, card_lines, columns, parse, question_lines, value

__all__ = ["PREFIX", "on_button"]

PHOTOS = frozenset({JPEG, PNG})
# Verbs that need words from the one who pressed: they start that person's conversation of this name.
FLOW_OF = {"reject": "review_reject", "ask": "review_ask", "answer": "answer"}


async def on_button(ctx: Context, flows: Mapping[str, Flow], active: Flow | None) -> None:
    press = parse(ctx.incoming.choice or "")
    verb = press.verb if press is not None else ""
    if press is None or (verb not in FLOW_OF and verb not in _VERBS):
        ctx.say(ctx.t("review.not_found"))
        if active is not None:
            active.prompt(ctx)
        return
    if not await insist(ctx, Action.ANSWER_QUESTION if verb == "answer" else Action.REVIEW):
        return
    if verb in FLOW_OF:
        if active is not None:
            # A draft in progress is not dropped for another conversation: finish or cancel it first.
            ctx.say(ctx.t("review.finish_first"))
            active.prompt(ctx)
            return
        await flows[FLOW_OF[verb]].start(ctx)
        return
    await _VERBS[verb](ctx, press)
    if active is not None:
        active.remind(ctx)


# -- shared pieces ---------------------------------------------------------------------------------------
async def pressed_state(ctx: Context, press: Press) -> ReviewState | None:
    """The nomination a button names, or None after saying it is not there."""
    nomination_id = press.number(0)
    state = await ctx.repos.review.state_by_id(nomination_id) if nomination_id is not None else None
    if state is None:
        ctx.say(ctx.t("review.not_found"))
    return state


def still_at(state: ReviewState, at: str | None, decision: Decision) -> bool:
    return state.merged_into is None and stage(state.status) == at and state.status in allowed_from(decision)


def already(ctx: Context, state: ReviewState) -> None:
    """Someone (or this person, on another copy of the card) acted first: say who and where it stands."""
    status = ctx.t(f"status.{state.status.value}")
    view = [
        Choice(label=ctx.t("review.button.view", reference=state.reference), value=value("view", state.nomination.id))
    ]
    if state.merged_into is not None:
        ctx.say(ctx.t("review.already_merged", reference=state.reference, into=state.merged_into), view)
    elif state.last_actor == ctx.user.id:
        ctx.say(ctx.t("review.already_you", reference=state.reference, status=status), view)
    elif state.last_actor_name:
        ctx.say(ctx.t("review.already", reference=state.reference, name=state.last_actor_name, status=status), view)
    else:
        ctx.say(ctx.t("review.already_anonymous", reference=state.reference, status=status), view)


def say_with_actions(ctx: Context, text: str, state: ReviewState) -> None:
    ctx.say(text, actions(ctx.services, ctx.lang, state), columns=columns(state))


# -- the verbs -------------------------------------------------------------------------------------------
async def approve(ctx: Context, press: Press) -> None:
    """First press: whether it also goes to the media column. The decision is the second press."""
    state = await pressed_state(ctx, press)
    if state is None:
        return
    at = press.text(1)
    if not still_at(state, at, Decision.APPROVE):
        already(ctx, state)
        return
    n = state.nomination
    lines = [ctx.t("review.approve.question", reference=n.reference, name=n.nominee_name)]
    if state.consent_needed:
        lines.append(ctx.t("review.approve.consent_note"))
    ctx.say(
        "\n".join(lines),
        [
            Choice(label=ctx.t("review.button.approve_publish"), value=value("decide", n.id, at, 1)),
            Choice(label=ctx.t("review.button.approve_only"), value=value("decide", n.id, at, 0)),
            Choice(label=ctx.t("review.button.back"), value=value("view", n.id)),
        ],
    )


async def decide_approval(ctx: Context, press: Press) -> None:
    state = await pressed_state(ctx, press)
    if state is None:
        return
    for_publication = press.text(2) == "1"
    outcome = await decisions.decide(
        ctx.repos,
        ctx.services,
        state.reference,
        Decision.APPROVE,
        ctx.user,
        ctx.now,
        expected_stage=press.text(1),
        for_publication=for_publication,
    )
    if outcome is None or not outcome.won:
        already(ctx, outcome.state if outcome else state)
        return
    key = "review.approve.done_publication" if for_publication else "review.approve.done"
    lines = [ctx.t(key, reference=state.reference)]
    if for_publication and outcome.state.consent_needed:
        lines.append(ctx.t("review.card.consent_needed"))
    say_with_actions(ctx, "\n".join(lines), outcome.state)


async def merge(ctx: Context, press: Press) -> None:
    """First press: what merging does, to be confirmed; nothing is merged until the second press."""
    state = await pressed_state(ctx, press)
    if state is None:
        return
    if state.duplicate_of is None or state.merged_into is not None:
        already(ctx, state)
        return
    n = state.nomination
    ctx.say(
        ctx.t("review.merge.question", reference=state.reference, into=state.duplicate_of, name=n.nominee_name),
        [
            Choice(
                label=ctx.t("review.button.merge_confirm", reference=state.duplicate_of),
                value=value("mergeok", n.id, press.text(1) or ""),
            ),
            Choice(label=ctx.t("review.button.back"), value=value("view", n.id)),
        ],
    )


async def confirm_merge(ctx: Context, press: Press) -> None:
    state = await pressed_state(ctx, press)
    if state is None:
        return
    if state.duplicate_of is None:
        already(ctx, state)
        return
    outcome = await decisions.merge(
        ctx.repos, ctx.services, state.reference, state.duplicate_of, ctx.user, ctx.now, expected_stage=press.text(1)
    )
    if outcome is None or not outcome.won:
        already(ctx, outcome.state if outcome else state)
        return
    into = outcome.state.merged_into or state.duplicate_of
    first = await ctx.repos.review.state(into)
    assert first is not None
    view_first = Choice(label=ctx.t("review.button.view", reference=into), value=value("view", first.nomination.id))
    ctx.say(ctx.t("review.merge.done", reference=state.reference, into=into), [view_first])


async def mark_publication(ctx: Context, press: Press) -> None:
    state = await pressed_state(ctx, press)
    if state is None:
        return
    marked = await ctx.repos.review.mark_for_publication(state.reference, ctx.user, ctx.now)
    assert marked is not None
    if marked.status is not NominationStatus.APPROVED:
        status = ctx.t(f"status.{marked.status.value}")
        ctx.say(ctx.t("review.publication.not_approved", reference=state.reference, status=status))
        return
    lines = [ctx.t("review.publication.marked", reference=state.reference)]
    if marked.consent_needed:
        lines.append(ctx.t("review.card.consent_needed"))
    say_with_actions(ctx, "\n".join(lines), marked)


async def record_consent(ctx: Context, press: Press) -> None:
    state = await pressed_state(ctx, press)
    if state is None:
        return
    if not needs_nominee_consent(state.nomination):
        say_with_actions(ctx, ctx.t("review.consent.not_needed", reference=state.reference), state)
        return
    recorded = await ctx.repos.review.record_consent(state.reference, ctx.user, ctx.now)
    assert recorded is not None
    say_with_actions(ctx, ctx.t("review.consent.recorded", reference=state.reference), recorded)


async def publish(ctx: Context, press: Press) -> None:
    state = await pressed_state(ctx, press)
    if state is None:
        return
    if state.status is not NominationStatus.APPROVED:
        already(ctx, state)
        return
    if not state.for_publication:
        say_with_actions(ctx, ctx.t("review.publish.not_marked", reference=state.reference), state)
        return
    if not state.publishable:
        say_with_actions(ctx, ctx.t("review.publish.no_consent", reference=state.reference), state)
        return
    outcome = await decisions.decide(
        ctx.repos,
        ctx.services,
        state.reference,
        Decision.PUBLISH,
        ctx.user,
        ctx.now,
        expected_stage=stage(NominationStatus.APPROVED),
    )
    if outcome is None or not outcome.won:
        already(ctx, outcome.state if outcome else state)
        return
    ctx.say(ctx.t("review.publish.done", reference=state.reference))


async def view(ctx: Context, press: Press) -> None:
    """The whole file as it stands, with what can be done now; the phone only for those who may see it."""
    state = await pressed_state(ctx, press)
    if state is None:
        return
    repo = ctx.repos.review
    status = ctx.t(f"status.{state.status.value}")
    heading = ctx.t("review.card.view", reference=state.reference, status=status)
    contacts = await ctx.may(Action.SEE_CONTACTS)
    lines = await card_lines(ctx.repos, ctx.services, ctx.lang, state, contacts=contacts, heading=heading)
    if state.last_actor_name:
        lines.append(ctx.t("review.card.decided_by", name=state.last_actor_name))
    if state.last_reason:
        lines.append(ctx.t("review.card.last_reason", reason=state.last_reason))
    lines += question_lines(ctx.services, ctx.lang, await repo.questions_of(state.nomination.id))
    say_with_actions(ctx, "\n".join(lines), state)


async def evidence(ctx: Context, press: Press) -> None:
    """The nomination's photos and files, to the chat of the one who asked (never to a shared chat)."""
    state = await pressed_state(ctx, press)
    if state is None:
        return
    found = await ctx.repos.review.evidence_paths(state.nomination.id)
    files = tuple(
        OutgoingFile(path=Path(path), filename=name or Path(path).name, mime=mime, as_photo=mime in PHOTOS)
        for path, mime, name in found
    )
    if not files:
        ctx.say(ctx.t("review.evidence.none", reference=state.reference))
        return
    title = ctx.t("review.evidence.title", reference=state.reference, count=len(files))
    ctx.replies.append(Reply(text=title, album=files))
    # What can be decided now, right under the files.
    say_with_actions(ctx, ctx.t("review.evidence.after", reference=state.reference), state)


_VERBS: dict[str, Callable[[Context, Press], Awaitable[None]]] = {
    "approve": approve,
    "decide": decide_approval,
    "merge": merge,
    "mergeok": confirm_merge,
    "pub": mark_publication,
    "consent": record_consent,
    "publish": publish,
    "view": view,
    "evidence": evidence,
}
