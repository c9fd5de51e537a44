"""The audit log's lines: who did what, when, from which channel. Lines are only ever added."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class AuditAction(StrEnum):
    ROLE_GRANTED = "role.granted"
    ROLE_REVOKED = "role.revoked"
    INVITE_CREATED = "invite.created"
    INVITE_REVOKED = "invite.revoked"
    NOMINATION_SUBMITTED = "nomination.submitted"
    REPORT_SUBMITTED = "report.submitted"
    REPORT_AMENDED = "report.amended"
    UNITS_IMPORTED = "units.imported"
    UNITS_SYNCED = "units.synced"
    UNIT_SUCCESSIONS_IMPORTED = "units.successions_imported"
    UNIT_SPLIT_ASSIGNED = "units.split_assigned"
    COMMENDATION_PROPOSED = "commendation.proposed"
    COMMENDATION_DECIDED = "commendation.decided"
    COMMENDATION_ANNEX = "commendation.annex_made"
    STAT_FORM_MADE = "statistics.form_made"
    ANNOUNCEMENT_SENT = "announcement.sent"


class AuditEntry(BaseModel):
    id: int
    at: dt.datetime
    actor_user_id: int | None
    channel: str | None
    action: str
    subject: str | None
    detail: dict[str, Any] = Field(default_factory=dict)
