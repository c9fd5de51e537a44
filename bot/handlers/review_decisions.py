"""Each review decision as one operation, whoever takes it and from where (a button in the chat, a form on
the web desk): the conditional update in storage, its audit lines, and the outbox messages to the people
concerned, all in the caller's transaction. The chat and the desk differ only in what they show after.

Each returns the storage Outcome (won False: someone decided first; `state` says who and what), or None
when there is no such nomination.
"""

from __future__ import annotations

import datetime as dt

from bot.domain.review import Decision, check_reason
from bot.domain.users import User
from bot.engine.context import Services
from bot.handlers.review_notify import OUTCOME_EVENTS, tell_nominator, tell_outcome, tell_question
from bot.storage.repos import Repos
from bot.storage.review import Outcome


async def decide(
    repos: Repos,
    services: Services,
    reference: str,
    decision: Decision,
    actor: User,
    now: dt.datetime,
    *,
    expected_stage: str | None,
    words: str | None = None,
    for_publication: bool = False,
) -> Outcome | None:
    """Approve, reject, publish or ask: `words` is the reason of a rejection or the question asked."""
    repo = repos.review
    reason = check_reason(decision, words)
    outcome = await repo.decide(
        reference,
        decision,
        actor,
        now,
        expected_stage=expected_stage,
        reason=reason,
        for_publication=for_publication,
    )
    if outcome is None or not outcome.won:
        return outcome
    if decision is Decision.ASK:
        asked = await repo.ask(outcome.state, actor, reason or "", now)
        await tell_question(repos, services, outcome.state, asked, now)
    else:
        await tell_outcome(repos, services, outcome.state, outcome.followers, now)
    return outcome


async def merge(
    repos: Repos,
    services: Services,
    reference: str,
    into: str,
    actor: User,
    now: dt.datetime,
    *,
    expected_stage: str | None,
) -> Outcome | None:
    """Merge a later nomination into the earlier one; its nominator is told, and told the outcome at once
    when the earlier one was decided already."""
    repo = repos.review
    outcome = await repo.merge(reference, into, actor, now, expected_stage=expected_stage)
    if outcome is None or not outcome.won:
        return outcome
    merged = outcome.state
    target = merged.merged_into or into
    first = await repo.state(target)
    assert first is not None
    await tell_nominator(repos, services, merged.nomination, "merged", now, into=target)
    event = OUTCOME_EVENTS.get(merged.status)
    if event is not None:
        reason = first.last_reason or "—"
        await tell_nominator(repos, services, merged.nomination, event, now, reason=reason, via=target)
    return outcome
