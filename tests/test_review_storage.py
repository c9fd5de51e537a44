"""Review decisions in storage: conditional on the status they were made for, audited, merges followed."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app import App
from bot.domain.nomination import NewNomination, Nomination, NominationStatus, NomineeKind
from bot.domain.review import Decision
from bot.domain.users import User
from bot.storage.nominations import NominationRepo
from bot.storage.review import ReviewRepo
from bot.storage.users import UserRepo
from tests.support.engines import select

# Each database test runs on SQLite and on PostgreSQL.
BOTH_ENGINES = True

DEED = "Ông đã vận động bà con góp tiền làm lại cây cầu khỉ cho học sinh đi học an toàn."


async def person(app: App, external_id: str, name: str) -> User:
    async with app.db.transaction() as conn:
        return await UserRepo(conn).get_or_create(
            "console", external_id, external_id, name, "vi", app.services.clock.now()
        )


async def nominate(app: App, by: User, name: str = "Nguyễn Văn An", unit: str = "H-LAPVO") -> Nomination:
    now = app.services.clock.now()
    new = NewNomination(
        campaign_code="DT-2026",
        submitted_by=by.id,
        channel="console",
        nominee_kind=NomineeKind.INDIVIDUAL,
        nominee_name=name,
        unit_code=unit,
        category_code="PT01",
        deed=DEED,
        anonymous=False,
        nominator_name="Trần Thị Bình",
        nominator_phone="+84912345678",
        consent_at=now,
    )
    async with app.db.transaction() as conn:
        return await NominationRepo(conn).create(new, 2026, now)


def audit_lines(app: App) -> list[tuple[object, ...]]:
    return select(
        app.db,
        "SELECT action, subject, actor_user_id, json_extract(detail, '$.to'), json_extract(detail, '$.reason')"
        " FROM audit_log WHERE action LIKE 'nomination.%' AND action != 'nomination.submitted' ORDER BY id",
    )


async def test_a_decision_is_taken_once_and_the_second_reviewer_sees_who_was_first(app: App) -> None:
    citizen = await person(app, "c1", "Bình")
    lan = await person(app, "s1", "Lan")
    minh = await person(app, "s2", "Minh")
    n = await nominate(app, citizen)
    now = app.services.clock.now()
    async with app.db.transaction() as conn:
        first = await ReviewRepo(conn).decide(n.reference, Decision.APPROVE, lan, now, expected_stage="open")
        second = await ReviewRepo(conn).decide(
            n.reference, Decision.REJECT, minh, now, expected_stage="open", reason="Không đủ căn cứ"
        )
    assert first is not None and first.won and first.state.status is NominationStatus.APPROVED
    assert second is not None and not second.won
    assert second.state.last_actor_name == "Lan" and second.state.status is NominationStatus.APPROVED
    assert audit_lines(app) == [
        ("nomination.review_started", n.reference, lan.id, "in_review", None),
        ("nomination.approved", n.reference, lan.id, "approved", None),
    ]


async def test_asking_answering_and_a_stale_button(app: App, clock: object) -> None:
    citizen = await person(app, "c1", "Bình")
    lan = await person(app, "s1", "Lan")
    n = await nominate(app, citizen)
    now = app.services.clock.now()
    async with app.db.transaction() as conn:
        repo = ReviewRepo(conn)
        asked = await repo.decide(n.reference, Decision.ASK, lan, now, reason="Có ảnh cây cầu không?")
        assert asked is not None and asked.won
        question = await repo.ask(asked.state, lan, "Có ảnh cây cầu không?", now)
        assert [q.id for q in await repo.open_questions_for(citizen.id)] == [question.id]
        assert await repo.answer(question.id, "Có, tôi gửi kèm.", [], now + dt.timedelta(hours=1))
        assert not await repo.answer(question.id, "Gửi lại lần nữa", [], now + dt.timedelta(hours=2))
        answered = await repo.decide(n.reference, Decision.ANSWERED, citizen, now + dt.timedelta(hours=1))
        assert answered is not None and answered.state.status is NominationStatus.IN_REVIEW
        # A button made while the nomination waited for the answer is stale now.
        stale = await repo.decide(n.reference, Decision.REJECT, lan, now, expected_stage="needs_info", reason="x")
        assert stale is not None and not stale.won
        assert await repo.open_questions_for(citizen.id) == []
    assert select(app.db, "SELECT question, answer FROM nomination_questions") == [
        ("Có ảnh cây cầu không?", "Có, tôi gửi kèm.")
    ]
    with pytest.raises(Exception, match="stays as it was given"):  # sqlite3's or psycopg's error
        select(app.db, "UPDATE nomination_questions SET answer = 'khác'")


async def test_a_merged_nomination_follows_the_first_and_nothing_is_deleted(app: App) -> None:
    a, b = await person(app, "c1", "Bình"), await person(app, "c2", "Cúc")
    lan = await person(app, "s1", "Lan")
    first = await nominate(app, a)
    later = await nominate(app, b, name="nguyen  van AN")
    now = app.services.clock.now()
    async with app.db.transaction() as conn:
        repo = ReviewRepo(conn)
        duplicate = await repo.earliest_duplicate(later)
        assert duplicate is not None and duplicate.reference == first.reference
        merged = await repo.merge(later.reference, first.reference, lan, now)
        assert merged is not None and merged.won and merged.state.merged_into == first.reference
        assert [s.reference for s in await repo.pending()] == [first.reference]
        approved = await repo.decide(first.reference, Decision.APPROVE, lan, now)
        assert approved is not None and [f.reference for f in approved.followers] == [later.reference]
        # A merged nomination is decided through its first, never on its own.
        again = await repo.decide(later.reference, Decision.REJECT, lan, now, reason="x")
        assert again is not None and not again.won
    assert select(app.db, "SELECT reference, status FROM nominations ORDER BY id") == [
        (first.reference, "approved"),
        (later.reference, "approved"),
    ]


async def test_the_earliest_earlier_nomination_of_the_same_folded_name_in_the_unit_is_the_duplicate(
    app: App,
) -> None:
    a = await person(app, "c1", "Bình")
    await nominate(app, a, name="Nguyễn Văn An", unit="H-CAOLANH")
    first = await nominate(app, a, name="nguyen van an")
    await nominate(app, a, name="Nguyễn Văn Ân Hai")
    second = await nominate(app, a, name="NGUYỄN  VĂN AN")
    latest = await nominate(app, a, name="Nguyễn VănAn")
    lan = await person(app, "s1", "Lan")
    async with app.db.transaction() as conn:
        repo = ReviewRepo(conn)
        assert await repo.earliest_duplicate(first) is None
        found = await repo.earliest_duplicate(latest)
        assert found is not None and found.reference == first.reference
        # Once merged into another, the first no longer stands for the nominee: the next one does.
        merged = await repo.merge(first.reference, second.reference, lan, app.services.clock.now())
        assert merged is not None and merged.won
        found = await repo.earliest_duplicate(latest)
        assert found is not None and found.reference == second.reference
