"""Eligibility against the award catalogue: per form, each criterion met, not met and unknown, with the
article of Luật Thi đua, khen thưởng 06/2022/QH15 it comes from written in the test's data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.domain.awards import (
    DEFAULT_CATALOGUE,
    CatalogueError,
    FactValue,
    Outcome,
    Recipient,
    check,
    load_catalogue,
)

CATALOGUE = load_catalogue(DEFAULT_CATALOGUE)
TODAY = dt.date(2026, 11, 28)
MET, NOT, UNKNOWN = Outcome.MET, Outcome.NOT_MET, Outcome.UNKNOWN
P, C, H = Recipient.INDIVIDUAL, Recipient.COLLECTIVE, Recipient.HOUSEHOLD

# (form, article, criterion, recipient, facts, criterion's outcome)
CASES: list[tuple[str, str, str, Recipient, dict[str, FactValue], Outcome]] = [
    # Lao động tiên tiến — Điều 24
    ("LDTT", "Điều 24 khoản 1 điểm a", "task", P, {"task_rating": "good"}, MET),
    ("LDTT", "Điều 24 khoản 1 điểm a", "task", P, {"task_rating": "poor"}, NOT),
    ("LDTT", "Điều 24 khoản 1 điểm a", "task", P, {}, UNKNOWN),
    ("LDTT", "Điều 24 khoản 1 điểm b", "law_abiding", P, {"law_abiding": True}, MET),
    ("LDTT", "Điều 24 khoản 1 điểm b", "law_abiding", P, {"law_abiding": False}, NOT),
    ("LDTT", "Điều 24 khoản 1 điểm b", "law_abiding", P, {}, UNKNOWN),
    ("LDTT", "Điều 24 khoản 1", "conduct", P, {"law_abiding": True}, UNKNOWN),
    # Chiến sĩ thi đua cơ sở — Điều 23
    ("CSTDCS", "Điều 23 khoản 1", "advanced_worker", P, {"advanced_worker_this_year": True}, MET),
    ("CSTDCS", "Điều 23 khoản 1", "advanced_worker", P, {"advanced_worker_this_year": False}, NOT),
    ("CSTDCS", "Điều 23 khoản 1", "advanced_worker", P, {}, UNKNOWN),
    ("CSTDCS", "Điều 23 khoản 2", "excellence_or_initiative", P, {"initiative_recognised": True}, MET),
    ("CSTDCS", "Điều 23 khoản 2", "excellence_or_initiative", P, {"task_rating": "excellent"}, MET),
    (
        "CSTDCS",
        "Điều 23 khoản 2",
        "excellence_or_initiative",
        P,
        {"task_rating": "good", "initiative_recognised": False},
        NOT,
    ),
    ("CSTDCS", "Điều 23 khoản 2", "excellence_or_initiative", P, {"task_rating": "good"}, UNKNOWN),
    # Chiến sĩ thi đua cấp tỉnh — Điều 22
    ("CSTD-TINH", "Điều 22 khoản 1", "three_grassroots", P, {"consecutive_grassroots_titles": 3}, MET),
    ("CSTD-TINH", "Điều 22 khoản 1", "three_grassroots", P, {"consecutive_grassroots_titles": 2}, NOT),
    ("CSTD-TINH", "Điều 22 khoản 1", "three_grassroots", P, {}, UNKNOWN),
    ("CSTD-TINH", "Điều 22 khoản 2", "initiative_scope", P, {"consecutive_grassroots_titles": 3}, UNKNOWN),
    # Tập thể lao động tiên tiến — Điều 28
    ("TTLDTT", "Điều 28 khoản 3", "members_advanced", C, {"share_members_advanced": 51}, MET),
    ("TTLDTT", "Điều 28 khoản 3", "members_advanced", C, {"share_members_advanced": 50}, NOT),
    ("TTLDTT", "Điều 28 khoản 3", "members_advanced", C, {}, UNKNOWN),
    ("TTLDTT", "Điều 28 khoản 3", "no_discipline", C, {"member_disciplined": False}, MET),
    ("TTLDTT", "Điều 28 khoản 3", "no_discipline", C, {"member_disciplined": True}, NOT),
    ("TTLDTT", "Điều 28 khoản 2", "movement", C, {}, UNKNOWN),
    # Tập thể lao động xuất sắc — Điều 27
    ("TTLDXS", "Điều 27 khoản 3", "members_advanced", C, {"share_members_advanced": 70}, MET),
    ("TTLDXS", "Điều 27 khoản 3", "members_advanced", C, {"share_members_advanced": 69.5}, NOT),
    ("TTLDXS", "Điều 27 khoản 3", "all_complete", C, {"share_members_completing": 100}, MET),
    ("TTLDXS", "Điều 27 khoản 3", "all_complete", C, {"share_members_completing": 98}, NOT),
    ("TTLDXS", "Điều 27 khoản 4", "fighter", C, {"has_grassroots_fighter": True}, MET),
    ("TTLDXS", "Điều 27 khoản 4", "fighter", C, {}, UNKNOWN),
    ("TTLDXS", "Điều 27 khoản 1", "task", C, {"task_rating": "good"}, NOT),
    # Cờ thi đua của tỉnh — Điều 26
    ("CO-TINH", "Điều 26 khoản 1", "leading", C, {"movement_result": "leading"}, MET),
    ("CO-TINH", "Điều 26 khoản 1", "leading", C, {"movement_result": "recognised"}, NOT),
    ("CO-TINH", "Điều 26 khoản 1", "excellent_collective", C, {}, UNKNOWN),
    # Bằng khen của Chủ tịch UBND tỉnh — Điều 74
    ("BK-TINH", "Điều 74 khoản 1", "law_abiding", H, {"law_abiding": True}, MET),
    ("BK-TINH", "Điều 74 khoản 1", "law_abiding", H, {"law_abiding": False}, NOT),
    ("BK-TINH", "Điều 74 khoản 1, 2, 3", "achievement", P, {"ad_hoc_achievement": True}, MET),
    ("BK-TINH", "Điều 74 khoản 1, 2, 3", "achievement", P, {"consecutive_excellent_years": 2}, MET),
    (
        "BK-TINH",
        "Điều 74 khoản 1, 2, 3",
        "achievement",
        P,
        {"consecutive_excellent_years": 1, "ad_hoc_achievement": False, "movement_result": "recognised"},
        NOT,
    ),
    ("BK-TINH", "Điều 74 khoản 1, 2, 3", "achievement", P, {"consecutive_excellent_years": 1}, UNKNOWN),
    # Giấy khen — Điều 75
    ("GK", "Điều 75 khoản 1", "achievement", P, {"ad_hoc_achievement": True}, MET),
    ("GK", "Điều 75 khoản 1", "achievement", C, {"movement_result": "recognised"}, MET),
    (
        "GK",
        "Điều 75 khoản 1",
        "achievement",
        H,
        {"ad_hoc_achievement": False, "movement_result": "none", "task_rating": "poor"},
        NOT,
    ),
    ("GK", "Điều 75 khoản 1", "law_abiding", P, {}, UNKNOWN),
    ("GK", "Điều 75 khoản 2", "provincial_rules", P, {"law_abiding": True}, UNKNOWN),
]


@pytest.mark.parametrize(("form", "article", "criterion", "recipient", "facts", "expected"), CASES)
def test_each_criterion_against_its_article(
    form: str, article: str, criterion: str, recipient: Recipient, facts: dict[str, FactValue], expected: Outcome
) -> None:
    award = CATALOGUE.form(form, TODAY)
    assert award is not None
    result = next(r for r in check(award, recipient, facts).results if r.criterion.code == criterion)
    assert result.criterion.article == article
    assert result.outcome is expected


def test_every_form_in_force_cites_its_article_of_the_law_and_the_decree_in_force() -> None:
    assert CATALOGUE.catalogue.law == "Luật Thi đua, khen thưởng số 06/2022/QH15"
    assert CATALOGUE.catalogue.decree == "Nghị định 152/2025/NĐ-CP"
    articles = {f.code: f.article for f in CATALOGUE.in_force(TODAY)}
    assert articles == {
        "CSTD-TINH": "Điều 22",
        "CSTDCS": "Điều 23",
        "LDTT": "Điều 24",
        "CO-TINH": "Điều 26",
        "TTLDXS": "Điều 27",
        "TTLDTT": "Điều 28",
        "BK-TINH": "Điều 74",
        "GK": "Điều 75",
    }
    form = CATALOGUE.form("GK", TODAY)
    assert form is not None
    assert CATALOGUE.basis(form) == "Điều 75 Luật Thi đua, khen thưởng số 06/2022/QH15; Nghị định 152/2025/NĐ-CP"
    for award in CATALOGUE.in_force(TODAY):
        assert all(c.article.startswith(award.article) for c in award.criteria)


def test_the_whole_check_is_not_met_unknown_or_met() -> None:
    award = CATALOGUE.form("GK", TODAY)
    assert award is not None
    assert check(award, P, {"law_abiding": False, "ad_hoc_achievement": True}).outcome is NOT
    # A reviewer's question always leaves the whole check to a person.
    assert check(award, P, {"law_abiding": True, "ad_hoc_achievement": True}).outcome is UNKNOWN
    # A title for collectives proposed for a person is not met, whatever the facts.
    flag = CATALOGUE.form("CO-TINH", TODAY)
    assert flag is not None and check(flag, P, {"movement_result": "leading"}).recipient_ok is False
    assert check(flag, P, {"movement_result": "leading"}).outcome is NOT


def test_a_change_of_law_is_a_change_of_data(tmp_path: Path) -> None:
    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    replaced = text.replace("    valid_from: 2024-01-01\n", "    valid_from: 2024-01-01\n    valid_to: 2026-06-30\n", 1)
    path = tmp_path / "awards.yaml"
    path.write_text(replaced, encoding="utf-8")
    catalogue = load_catalogue(path)
    assert catalogue.form("LDTT", dt.date(2026, 6, 30)) is not None
    assert catalogue.form("LDTT", dt.date(2026, 7, 1)) is None


@pytest.mark.parametrize(
    ("old", "new", "error"),
    [
        ("        fact: task_rating\n        in: [good, excellent]\n", "        fact: task_rating\n", "exactly one"),
        ("    recipients: [individual]\n", "    recipients: [robot]\n", "recipients"),
        ("    article: Điều 24\n", "", "article"),
    ],
)
def test_a_broken_catalogue_is_named(tmp_path: Path, old: str, new: str, error: str) -> None:
    text = DEFAULT_CATALOGUE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "awards.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(path)
    assert str(path) in str(err.value) and error in str(err.value)
