"""Nominations of "good people, good deeds" (người tốt, việc tốt)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, Field

REFERENCE_PREFIX = "NTVT"
NAME_MIN, NAME_MAX = 2, 120
DEED_MIN, DEED_MAX = 30, 4000


class NomineeKind(StrEnum):
    INDIVIDUAL = "individual"
    COLLECTIVE = "collective"


class NominationStatus(StrEnum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    NEEDS_INFO = "needs_info"
    APPROVED = "approved"
    REJECTED = "rejected"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


def nomination_reference(year: int, sequence: int) -> str:
    """`NTVT-2026-000042`: a yearly sequence, never reused."""
    return f"{REFERENCE_PREFIX}-{year}-{sequence:06d}"


class EvidenceFile(BaseModel):
    sha256: str
    mime: str
    size: int
    original_name: str | None = None


class NewNomination(BaseModel):
    """What the nomination conversation collected, ready to be committed."""

    campaign_code: str
    submitted_by: int
    channel: str
    nominee_kind: NomineeKind
    nominee_name: str = Field(min_length=NAME_MIN, max_length=NAME_MAX)
    unit_code: str
    category_code: str
    deed: str = Field(min_length=DEED_MIN, max_length=DEED_MAX)
    anonymous: bool
    nominator_name: str | None = None
    nominator_phone: str | None = None
    evidence: list[EvidenceFile] = Field(default_factory=list, max_length=10)
    consent_at: dt.datetime
    # Set when a unit representative nominates: the nomination is the unit's.
    on_behalf_of_unit: str | None = None


class Nomination(BaseModel):
    id: int
    reference: str
    status: NominationStatus
    submitted_by: int
    channel: str
    nominee_kind: NomineeKind
    nominee_name: str
    unit_code: str
    category_code: str
    deed: str
    anonymous: bool
    nominator_name: str | None
    nominator_phone: str | None
    consent_at: dt.datetime
    created_at: dt.datetime
    evidence_count: int = 0
    on_behalf_of_unit: str | None = None
