"""The review state machine, the reasons it asks for, consent before publication, and the duplicate rule."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.domain.nomination import NominationStatus as S
from bot.domain.nomination import NomineeKind
from bot.domain.review import (
    Decision,
    InvalidTransition,
    allowed_from,
    check_reason,
    duplicate_key,
    may_publish,
    needs_nominee_consent,
    path,
)


def test_a_decision_on_a_submitted_nomination_passes_through_review() -> None:
    assert path(S.SUBMITTED, Decision.APPROVE) == [(S.SUBMITTED, S.IN_REVIEW), (S.IN_REVIEW, S.APPROVED)]
    assert path(S.SUBMITTED, Decision.REJECT) == [(S.SUBMITTED, S.IN_REVIEW), (S.IN_REVIEW, S.REJECTED)]
    assert path(S.SUBMITTED, Decision.ASK) == [(S.SUBMITTED, S.IN_REVIEW), (S.IN_REVIEW, S.NEEDS_INFO)]
    assert path(S.SUBMITTED, Decision.START) == [(S.SUBMITTED, S.IN_REVIEW)]


def test_the_whole_life_of_a_nomination() -> None:
    status = S.SUBMITTED
    for decision, expected in [
        (Decision.START, S.IN_REVIEW),
        (Decision.ASK, S.NEEDS_INFO),
        (Decision.ANSWERED, S.IN_REVIEW),
        (Decision.APPROVE, S.APPROVED),
        (Decision.PUBLISH, S.PUBLISHED),
    ]:
        status = path(status, decision)[-1][1]
        assert status is expected


@pytest.mark.parametrize(
    ("status", "decision"),
    [
        (S.SUBMITTED, Decision.PUBLISH),  # nothing is published before it is approved
        (S.IN_REVIEW, Decision.PUBLISH),
        (S.REJECTED, Decision.APPROVE),  # a decision taken stays taken
        (S.APPROVED, Decision.REJECT),
        (S.PUBLISHED, Decision.PUBLISH),
        (S.IN_REVIEW, Decision.ANSWERED),  # nobody asked
        (S.WITHDRAWN, Decision.START),
        (S.IN_REVIEW, Decision.START),
    ],
)
def test_what_cannot_happen(status: S, decision: Decision) -> None:
    with pytest.raises(InvalidTransition):
        path(status, decision)


def test_where_each_decision_can_be_taken() -> None:
    assert allowed_from(Decision.APPROVE) == {S.SUBMITTED, S.IN_REVIEW, S.NEEDS_INFO}
    assert allowed_from(Decision.PUBLISH) == {S.APPROVED}
    assert allowed_from(Decision.ANSWERED) == {S.NEEDS_INFO}


def test_rejecting_and_asking_need_a_reason() -> None:
    with pytest.raises(ValueError):
        check_reason(Decision.REJECT, "   ")
    with pytest.raises(ValueError):
        check_reason(Decision.ASK, None)
    assert check_reason(Decision.REJECT, "  Trùng với hồ sơ đã khen năm trước ") == "Trùng với hồ sơ đã khen năm trước"
    assert check_reason(Decision.APPROVE, "") is None
    assert len(check_reason(Decision.REJECT, "x" * 5000) or "") == 1000


@dataclass
class N:
    id: int
    nominee_name: str
    unit_code: str
    nominee_kind: NomineeKind = NomineeKind.INDIVIDUAL
    on_behalf_of_unit: str | None = None


def test_a_citizens_nomination_of_a_person_needs_the_nominees_consent_to_be_published() -> None:
    citizen = N(1, "Nguyễn Văn An", "H-LAPVO")
    by_unit = N(2, "Nguyễn Văn An", "H-LAPVO", on_behalf_of_unit="H-LAPVO")
    collective = N(3, "Hội Nông dân xã Mỹ An", "H-LAPVO", nominee_kind=NomineeKind.COLLECTIVE)
    assert needs_nominee_consent(citizen)
    assert not needs_nominee_consent(by_unit) and not needs_nominee_consent(collective)
    assert not may_publish(citizen, for_publication=True, consent_recorded=False)
    assert may_publish(citizen, for_publication=True, consent_recorded=True)
    assert may_publish(by_unit, for_publication=True, consent_recorded=False)
    assert not may_publish(by_unit, for_publication=False, consent_recorded=True)


def test_names_match_without_diacritics_case_or_spacing_within_one_unit() -> None:
    assert duplicate_key("Nguyễn Văn  An", "H-LAPVO") == duplicate_key("nguyen van an", "H-LAPVO")
    assert duplicate_key("NGUYỄN VĂN AN", "H-LAPVO") == duplicate_key("Nguyễn VănAn", "H-LAPVO")
    assert duplicate_key("Đỗ Thị Hà", "X") == duplicate_key("do thi ha", "X")
    assert duplicate_key("Nguyễn Văn An", "H-LAPVO") != duplicate_key("Nguyễn Văn An", "H-CAOLANH")
    assert duplicate_key("Nguyễn Văn An", "H-LAPVO") != duplicate_key("Nguyễn Văn Ân Hai", "H-LAPVO")
