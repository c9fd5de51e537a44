"""Reviewing a nomination: which decision moves it where, which decisions need a reason, when it may be
published, and which nominations look like the same nominee twice.

    submitted ──start──▶ in review ──ask──▶ needs information ──answered──▶ in review
                           │   ▲                 │
                           │   └─────────────────┤
                           ├──approve──▶ approved ──publish──▶ published
                           └──reject───▶ rejected

A decision taken on a submitted nomination passes through "in review" first, so the history always shows
who took it up. Approving or rejecting is allowed while the nominator is still asked for more: the
secretariat may decide without waiting.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Protocol

from pydantic import BaseModel

from bot.domain.nomination import Nomination, NominationStatus, NomineeKind
from bot.domain.text import fold

S = NominationStatus


class Decision(StrEnum):
    START = "start"
    ASK = "ask"
    ANSWERED = "answered"
    APPROVE = "approve"
    REJECT = "reject"
    PUBLISH = "publish"


TRANSITIONS: dict[tuple[NominationStatus, Decision], NominationStatus] = {
    (S.SUBMITTED, Decision.START): S.IN_REVIEW,
    (S.IN_REVIEW, Decision.ASK): S.NEEDS_INFO,
    # A second question while the first is unanswered replaces nothing: both stay on record.
    (S.NEEDS_INFO, Decision.ASK): S.NEEDS_INFO,
    (S.NEEDS_INFO, Decision.ANSWERED): S.IN_REVIEW,
    (S.IN_REVIEW, Decision.APPROVE): S.APPROVED,
    (S.NEEDS_INFO, Decision.APPROVE): S.APPROVED,
    (S.IN_REVIEW, Decision.REJECT): S.REJECTED,
    (S.NEEDS_INFO, Decision.REJECT): S.REJECTED,
    (S.APPROVED, Decision.PUBLISH): S.PUBLISHED,
}

# The question asked is the "why" of asking for more; a rejection must say why to the nominator.
REASON_REQUIRED = frozenset({Decision.ASK, Decision.REJECT})
REASON_MAX = 1000
# A nominator's answer to a question: longer than a reason, shorter than a deed.
ANSWER_MAX = 2000

# Still before the secretariat: what the digest lists as awaiting review and what can be merged.
OPEN = frozenset({S.SUBMITTED, S.IN_REVIEW, S.NEEDS_INFO})
# Outcomes a nomination merged into another follows (the earlier one's fate is the later one's).
FINAL = frozenset({S.APPROVED, S.REJECTED, S.PUBLISHED})


class InvalidTransition(Exception):
    def __init__(self, status: NominationStatus, decision: Decision) -> None:
        super().__init__(f"cannot {decision.value} a nomination that is {status.value}")
        self.status = status
        self.decision = decision


Transition = tuple[NominationStatus, NominationStatus]


def path(status: NominationStatus, decision: Decision) -> list[Transition]:
    """The transitions `decision` makes from `status`, in order; raises InvalidTransition if none."""
    direct = TRANSITIONS.get((status, decision))
    if direct is not None:
        return [(status, direct)]
    if status is S.SUBMITTED and decision is not Decision.START:
        taken = TRANSITIONS[(S.SUBMITTED, Decision.START)]
        then = TRANSITIONS.get((taken, decision))
        if then is not None:
            return [(status, taken), (taken, then)]
    raise InvalidTransition(status, decision)


def allowed_from(decision: Decision) -> frozenset[NominationStatus]:
    """Every status from which the decision can be taken (directly or through "in review")."""
    found = set()
    for status in NominationStatus:
        try:
            path(status, decision)
        except InvalidTransition:
            continue
        found.add(status)
    return frozenset(found)


def stage(status: NominationStatus) -> str:
    """What a reviewer's button was made for. Taking a nomination up changes nothing a decision rests on,
    so "submitted" and "in review" are one stage: a decision made for it loses only to another decision."""
    return "open" if status in (S.SUBMITTED, S.IN_REVIEW) else status.value


def check_reason(decision: Decision, reason: str | None) -> str | None:
    """The reason, trimmed; raises ValueError when the decision needs one and there is none."""
    text = (reason or "").strip()
    if decision in REASON_REQUIRED and not text:
        raise ValueError(f"{decision.value} needs a reason")
    return text[:REASON_MAX] or None


class Nominee(Protocol):
    """What the rules below need of a nomination."""

    @property
    def nominee_kind(self) -> NomineeKind: ...
    @property
    def on_behalf_of_unit(self) -> str | None: ...


def needs_nominee_consent(nomination: Nominee) -> bool:
    """A citizen naming a person: that person has not been asked. A unit's nomination goes through the
    unit's own procedure, and a collective is not a private person."""
    return nomination.nominee_kind is NomineeKind.INDIVIDUAL and nomination.on_behalf_of_unit is None


def may_publish(nomination: Nominee, for_publication: bool, consent_recorded: bool) -> bool:
    return for_publication and (consent_recorded or not needs_nominee_consent(nomination))


def nominee_key(nominee_name: str) -> str:
    """A name without diacritics, case or spacing: "Nguyễn Văn  An" and "nguyen vanan" are one. Stored
    with each nomination, so that finding a duplicate asks an index instead of folding every name."""
    return "".join(fold(nominee_name).split())


def duplicate_key(nominee_name: str, unit_code: str) -> str:
    """Names compared without diacritics, case or spacing: "Nguyễn Văn  An" and "nguyen van an" are one."""
    return nominee_key(nominee_name) + "|" + unit_code


class ReviewAudit(StrEnum):
    """The audit log's names for what review does."""

    STARTED = "nomination.review_started"
    INFO_REQUESTED = "nomination.info_requested"
    INFO_ANSWERED = "nomination.info_answered"
    APPROVED = "nomination.approved"
    REJECTED = "nomination.rejected"
    PUBLISHED = "nomination.published"
    MARKED_FOR_PUBLICATION = "nomination.marked_for_publication"
    CONSENT_RECORDED = "nomination.consent_recorded"
    MERGED = "nomination.merged"
    FOLLOWED = "nomination.followed_merge"


AUDIT_OF: dict[Decision, ReviewAudit] = {
    Decision.START: ReviewAudit.STARTED,
    Decision.ASK: ReviewAudit.INFO_REQUESTED,
    Decision.ANSWERED: ReviewAudit.INFO_ANSWERED,
    Decision.APPROVE: ReviewAudit.APPROVED,
    Decision.REJECT: ReviewAudit.REJECTED,
    Decision.PUBLISH: ReviewAudit.PUBLISHED,
}


class ReviewState(BaseModel):
    """A nomination as the secretariat reviews it."""

    nomination: Nomination
    status_since: dt.datetime
    posted: bool = False
    for_publication: bool = False
    consent_at: dt.datetime | None = None
    duplicate_of: str | None = None
    merged_into: str | None = None
    last_actor: int | None = None
    last_actor_name: str | None = None
    last_reason: str | None = None
    answer_files: int = 0

    @property
    def status(self) -> NominationStatus:
        return self.nomination.status

    @property
    def reference(self) -> str:
        return self.nomination.reference

    @property
    def consent_needed(self) -> bool:
        return needs_nominee_consent(self.nomination) and self.consent_at is None

    @property
    def publishable(self) -> bool:
        return may_publish(self.nomination, self.for_publication, self.consent_at is not None)


class Question(BaseModel):
    id: int
    nomination_id: int
    reference: str
    asked_by: int
    asked_at: dt.datetime
    question: str
    answer: str | None = None
    answered_at: dt.datetime | None = None
    files: int = 0
