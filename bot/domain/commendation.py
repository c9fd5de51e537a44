"""Commendation after approval: a proposal of a form for an approved nomination, the decision that grants
it, and what the year's statistics count from the decisions."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel

from bot.domain.awards import Outcome, Recipient

PROPOSAL_PREFIX = "KT"


class Method(StrEnum):
    """How a commendation comes (the statistical forms count each apart)."""

    REGULAR = "regular"  # the year's results
    THEMATIC = "thematic"  # a movement, a phase or a theme
    AD_HOC = "ad_hoc"  # an unexpected, outstanding deed


class ProposalStatus(StrEnum):
    PROPOSED = "proposed"
    DECIDED = "decided"
    WITHDRAWN = "withdrawn"


def proposal_reference(year: int, sequence: int) -> str:
    return f"{PROPOSAL_PREFIX}-{year}-{sequence:04d}"


class Proposal(BaseModel):
    id: int
    reference: str
    nomination_id: int
    nomination_reference: str
    nominee_name: str
    unit_code: str
    deed: str
    form_code: str
    recipient: Recipient
    method: Method
    eligibility: Outcome
    status: ProposalStatus
    decision_number: str | None = None
    proposed_at: dt.datetime
    decided_at: dt.datetime | None = None


class Decision(BaseModel):
    id: int
    number: str
    signed_on: dt.date
    signer: str


class DecisionMismatch(Exception):
    """A decision number already recorded with another date or signer."""

    def __init__(self, existing: Decision) -> None:
        super().__init__(existing.number)
        self.existing = existing
