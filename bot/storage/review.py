"""Review of nominations in storage: decisions as conditional updates, questions and answers, merges.

Every decision is one `UPDATE ... WHERE status = <the status it was decided on>` inside the caller's
transaction: of two reviewers deciding at once, the second finds the status moved and is told who was
first, whatever process or messenger each of them came through.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from bot.domain.nomination import EvidenceFile, Nomination, NominationStatus
from bot.domain.review import (
    AUDIT_OF,
    FINAL,
    OPEN,
    Decision,
    InvalidTransition,
    Question,
    ReviewAudit,
    ReviewState,
    Transition,
    path,
    stage,
)
from bot.domain.users import User
from bot.storage.audit import audit
from bot.storage.database import Connection, Row, fetch_all, fetch_one, insert_id
from bot.storage.keys import nominee_key
from bot.storage.timefmt import from_db, to_db

_STATE = (
    "SELECT n.*,"
    " (SELECT COUNT(*) FROM nomination_files f WHERE f.nomination_id = n.id) AS evidence_count,"
    " (SELECT COUNT(*) FROM nomination_questions q JOIN nomination_answer_files af ON af.question_id = q.id"
    "  WHERE q.nomination_id = n.id) AS answer_files,"
    " r.posted_at, r.for_publication, r.consent_recorded_at, r.last_actor, r.last_reason, r.status_since,"
    " d.reference AS duplicate_ref, m.reference AS merged_ref, u.display_name AS last_actor_name"
    " FROM nominations n LEFT JOIN nomination_reviews r ON r.nomination_id = n.id"
    " LEFT JOIN nominations d ON d.id = r.duplicate_of"
    " LEFT JOIN nominations m ON m.id = r.merged_into"
    " LEFT JOIN users u ON u.id = r.last_actor"
)
_FIELDS = tuple(Nomination.model_fields)
DECIDED = frozenset({NominationStatus.APPROVED, NominationStatus.REJECTED})


def nomination_from_row(row: Row) -> Nomination:
    keys = set(row.keys())
    return Nomination.model_validate({name: row[name] for name in _FIELDS if name in keys})


def _state(row: Row) -> ReviewState:
    nomination = nomination_from_row(row)
    since = row["status_since"]
    return ReviewState(
        nomination=nomination,
        status_since=from_db(since) if since else nomination.created_at,
        posted=row["posted_at"] is not None,
        for_publication=bool(row["for_publication"]),
        consent_at=from_db(row["consent_recorded_at"]) if row["consent_recorded_at"] else None,
        duplicate_of=row["duplicate_ref"],
        merged_into=row["merged_ref"],
        last_actor=row["last_actor"],
        last_actor_name=row["last_actor_name"],
        last_reason=row["last_reason"],
        answer_files=row["answer_files"],
    )


class Outcome(BaseModel):
    """What a decision did: `won` False means someone decided first (see `state` for who and what)."""

    won: bool
    state: ReviewState
    steps: list[Transition] = []
    # Nominations merged into this one that followed it to its outcome.
    followers: list[Nomination] = []


class Candidate(BaseModel):
    id: int
    reference: str
    nominee_name: str
    unit_code: str


class ReviewRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- reading -------------------------------------------------------------------------------------
    async def state(self, reference: str) -> ReviewState | None:
        row = await fetch_one(self.conn, f"{_STATE} WHERE n.reference = ?", (reference,))
        return _state(row) if row else None

    async def state_by_id(self, nomination_id: int) -> ReviewState | None:
        """The state a button names: buttons carry the short id, not the reference."""
        row = await fetch_one(self.conn, f"{_STATE} WHERE n.id = ?", (nomination_id,))
        return _state(row) if row else None

    async def pending(self, limit: int = 20) -> list[ReviewState]:
        """Nominations before the secretariat, longest waiting first (merged ones ride on their first)."""
        marks = ", ".join("?" for _ in OPEN)
        rows = await fetch_all(
            self.conn,
            f"{_STATE} WHERE n.status IN ({marks}) AND r.merged_into IS NULL"
            " ORDER BY COALESCE(r.status_since, n.created_at), n.id LIMIT ?",
            (*sorted(s.value for s in OPEN), limit),
        )
        return [_state(r) for r in rows]

    async def queue(
        self, statuses: frozenset[NominationStatus], group: str | None, offset: int, limit: int
    ) -> tuple[list[ReviewState], int]:
        """One page of the review queue, longest waiting first, and how many there are in all. Every open
        nomination is in it, whether or not a card was ever posted for it (none is when no desk existed)."""
        marks = ", ".join("?" for _ in statuses)
        where = f" WHERE n.status IN ({marks}) AND r.merged_into IS NULL"
        params: tuple[Any, ...] = tuple(sorted(s.value for s in statuses))
        if group is not None:
            where += " AND n.unit_code IN (SELECT code FROM current_units WHERE group_code = ?)"
            params += (group,)
        rows = await fetch_all(
            self.conn,
            f"{_STATE}{where} ORDER BY COALESCE(r.status_since, n.created_at), n.id LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        total = await fetch_one(
            self.conn,
            f"SELECT COUNT(*) FROM nominations n LEFT JOIN nomination_reviews r ON r.nomination_id = n.id{where}",
            params,
        )
        return [_state(r) for r in rows], int(total[0]) if total else 0

    async def pending_counts(self) -> dict[NominationStatus, int]:
        marks = ", ".join("?" for _ in OPEN)
        rows = await fetch_all(
            self.conn,
            f"SELECT n.status, COUNT(*) FROM nominations n LEFT JOIN nomination_reviews r ON r.nomination_id = n.id"
            f" WHERE n.status IN ({marks}) AND r.merged_into IS NULL GROUP BY n.status",
            tuple(sorted(s.value for s in OPEN)),
        )
        return {NominationStatus(r[0]): int(r[1]) for r in rows}

    async def earliest_duplicate(self, nomination: Nomination) -> Candidate | None:
        """The earliest earlier nomination of the same nominee (names folded, see nominee_key) in the same
        unit that is not itself merged into another: one look-up in the index of folded names."""
        row = await fetch_one(
            self.conn,
            "SELECT n.id, n.reference, n.nominee_name, n.unit_code FROM nominations n"
            " LEFT JOIN nomination_reviews r ON r.nomination_id = n.id"
            " WHERE n.unit_code = ? AND n.nominee_key = ? AND n.id < ? AND r.merged_into IS NULL"
            " ORDER BY n.id LIMIT 1",
            (nomination.unit_code, nominee_key(nomination.nominee_name), nomination.id),
        )
        return Candidate(id=row[0], reference=row[1], nominee_name=row[2], unit_code=row[3]) if row else None

    async def latest_by(self, user_id: int) -> Nomination | None:
        row = await fetch_one(
            self.conn,
            "SELECT n.*, 0 AS evidence_count FROM nominations n WHERE n.submitted_by = ? ORDER BY n.id DESC LIMIT 1",
            (user_id,),
        )
        return nomination_from_row(row) if row else None

    # -- putting before the secretariat ----------------------------------------------------------------
    async def mark_posted(self, nomination: Nomination, duplicate_of: int | None, now: dt.datetime) -> bool:
        """Record that the nomination was put before the secretariat; False if it already was."""
        await self._ensure(nomination, now)
        cur = await self.conn.execute(
            "UPDATE nomination_reviews SET posted_at = ?, duplicate_of = ?"
            " WHERE nomination_id = ? AND posted_at IS NULL",
            (to_db(now), duplicate_of, nomination.id),
        )
        return cur.rowcount == 1

    async def _ensure(self, nomination: Nomination, now: dt.datetime) -> None:
        await self.conn.execute(
            "INSERT INTO nomination_reviews (nomination_id, status_since) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (nomination.id, to_db(nomination.created_at)),
        )

    # -- deciding --------------------------------------------------------------------------------------
    async def decide(
        self,
        reference: str,
        decision: Decision,
        actor: User,
        now: dt.datetime,
        *,
        expected_stage: str | None = None,
        reason: str | None = None,
        for_publication: bool = False,
    ) -> Outcome | None:
        """Take the decision if the nomination is still at `expected_stage` (when given) and the decision can
        be taken from where it is. None if there is no such nomination."""
        state = await self.state(reference)
        if state is None:
            return None
        if state.merged_into is not None or (expected_stage is not None and stage(state.status) != expected_stage):
            return Outcome(won=False, state=state)
        try:
            steps = path(state.status, decision)
        except InvalidTransition:
            return Outcome(won=False, state=state)
        final = steps[-1][1]
        nomination = state.nomination
        cur = await self.conn.execute(
            "UPDATE nominations SET status = ? WHERE id = ? AND status = ?",
            (final.value, nomination.id, state.status.value),
        )
        if cur.rowcount != 1:
            fresh = await self.state(reference)
            assert fresh is not None
            return Outcome(won=False, state=fresh)
        await self._ensure(nomination, now)
        await self.conn.execute(
            "UPDATE nomination_reviews SET status_since = ?, last_actor = ?, last_reason = ?,"
            " for_publication = CASE WHEN ? = 1 THEN 1 ELSE for_publication END, decided_at = COALESCE(?, decided_at)"
            " WHERE nomination_id = ?",
            (
                to_db(now),
                actor.id,
                reason,
                int(for_publication),
                to_db(now) if final in DECIDED else None,
                nomination.id,
            ),
        )
        for number, (before, after) in enumerate(steps, start=1):
            # Only the last step is the decision itself; one before it is the taking up that path() adds.
            step = decision if number == len(steps) else Decision.START
            await self._audit(
                AUDIT_OF[step], actor, now, reference, **{"from": before.value, "to": after.value, "reason": reason}
            )
        if for_publication:
            await self._audit(ReviewAudit.MARKED_FOR_PUBLICATION, actor, now, reference)
        followers = await self._carry_to_merged(nomination, final, actor, now) if final in FINAL else []
        fresh = await self.state(reference)
        assert fresh is not None
        return Outcome(won=True, state=fresh, steps=steps, followers=followers)

    async def _carry_to_merged(
        self, nomination: Nomination, status: NominationStatus, actor: User, now: dt.datetime
    ) -> list[Nomination]:
        rows = await fetch_all(
            self.conn,
            "SELECT n.*, 0 AS evidence_count FROM nominations n JOIN nomination_reviews r ON r.nomination_id = n.id"
            " WHERE r.merged_into = ? ORDER BY n.id",
            (nomination.id,),
        )
        followers = [nomination_from_row(r) for r in rows]
        for follower in followers:
            await self.conn.execute("UPDATE nominations SET status = ? WHERE id = ?", (status.value, follower.id))
            await self.conn.execute(
                "UPDATE nomination_reviews SET status_since = ?, last_actor = ?,"
                " decided_at = COALESCE(decided_at, ?) WHERE nomination_id = ?",
                (to_db(now), actor.id, to_db(now), follower.id),
            )
            await self._audit(
                ReviewAudit.FOLLOWED, actor, now, follower.reference, merged_into=nomination.reference, to=status.value
            )
        return [f.model_copy(update={"status": status}) for f in followers]

    async def mark_for_publication(self, reference: str, actor: User, now: dt.datetime) -> ReviewState | None:
        state = await self.state(reference)
        if state is None or state.status is not NominationStatus.APPROVED:
            return state
        if not state.for_publication:
            await self.conn.execute(
                "UPDATE nomination_reviews SET for_publication = 1 WHERE nomination_id = ?", (state.nomination.id,)
            )
            await self._audit(ReviewAudit.MARKED_FOR_PUBLICATION, actor, now, reference)
        return await self.state(reference)

    async def record_consent(self, reference: str, actor: User, now: dt.datetime) -> ReviewState | None:
        """The reviewer says the nominee agreed to be named in public. Recorded once, by whoever said it first."""
        state = await self.state(reference)
        if state is None:
            return None
        await self._ensure(state.nomination, now)
        cur = await self.conn.execute(
            "UPDATE nomination_reviews SET consent_recorded_at = ?, consent_recorded_by = ?"
            " WHERE nomination_id = ? AND consent_recorded_at IS NULL",
            (to_db(now), actor.id, state.nomination.id),
        )
        if cur.rowcount == 1:
            await self._audit(ReviewAudit.CONSENT_RECORDED, actor, now, reference)
        return await self.state(reference)

    async def merge(
        self, later: str, earlier: str, actor: User, now: dt.datetime, *, expected_stage: str | None = None
    ) -> Outcome | None:
        """Point `later` to `earlier` (or to what `earlier` was merged into); it follows that one's outcome."""
        state = await self.state(later)
        target = await self.state(earlier)
        if state is None or target is None:
            return None
        if target.merged_into is not None:
            target = await self.state(target.merged_into)
            assert target is not None
        if (
            state.merged_into is not None
            or state.status not in OPEN
            or target.nomination.id == state.nomination.id
            or (expected_stage is not None and stage(state.status) != expected_stage)
        ):
            return Outcome(won=False, state=state)
        status = target.status if target.status in FINAL else NominationStatus.IN_REVIEW
        cur = await self.conn.execute(
            "UPDATE nominations SET status = ? WHERE id = ? AND status = ?",
            (status.value, state.nomination.id, state.status.value),
        )
        if cur.rowcount != 1:
            return Outcome(won=False, state=state)
        await self._ensure(state.nomination, now)
        await self.conn.execute(
            "UPDATE nomination_reviews SET merged_into = ?, status_since = ?, last_actor = ?, last_reason = NULL"
            " WHERE nomination_id = ?",
            (target.nomination.id, to_db(now), actor.id, state.nomination.id),
        )
        await self._audit(
            ReviewAudit.MERGED,
            actor,
            now,
            later,
            into=target.reference,
            **{"from": state.status.value, "to": status.value},
        )
        fresh = await self.state(later)
        assert fresh is not None
        return Outcome(won=True, state=fresh, steps=[(state.status, status)])

    async def _audit(self, action: ReviewAudit, actor: User, now: dt.datetime, subject: str, **detail: Any) -> None:
        await audit(
            self.conn,
            now,
            action,
            actor=actor.id,
            channel=actor.channel,
            subject=subject,
            **{k: v for k, v in detail.items() if v is not None},
        )

    # -- asking the nominator for more ------------------------------------------------------------------
    async def ask(self, state: ReviewState, actor: User, question: str, now: dt.datetime) -> Question:
        question_id = await insert_id(
            self.conn,
            "INSERT INTO nomination_questions (nomination_id, asked_by, asked_at, question) VALUES (?, ?, ?, ?)",
            (state.nomination.id, actor.id, to_db(now), question),
        )
        found = await self.question(question_id)
        assert found is not None
        return found

    async def question(self, question_id: int) -> Question | None:
        rows = await self._questions("q.id = ?", (question_id,))
        return rows[0] if rows else None

    async def questions(self, question_ids: list[int]) -> list[Question]:
        """The questions of these ids, answered or not, in the order of their ids."""
        if not question_ids:
            return []
        marks = ", ".join("?" for _ in question_ids)
        return await self._questions(f"q.id IN ({marks})", tuple(question_ids))

    async def questions_of(self, nomination_id: int) -> list[Question]:
        return await self._questions("q.nomination_id = ?", (nomination_id,))

    async def open_questions_for(self, user_id: int) -> list[Question]:
        """Unanswered questions on the person's own nominations that still await their answer."""
        return await self._questions(
            "n.submitted_by = ? AND q.answered_at IS NULL AND n.status = ?",
            (user_id, NominationStatus.NEEDS_INFO.value),
        )

    async def _questions(self, where: str, params: tuple[Any, ...]) -> list[Question]:
        rows = await fetch_all(
            self.conn,
            "SELECT q.*, n.reference,"
            " (SELECT COUNT(*) FROM nomination_answer_files f WHERE f.question_id = q.id) AS files"
            f" FROM nomination_questions q JOIN nominations n ON n.id = q.nomination_id WHERE {where} ORDER BY q.id",
            params,
        )
        return [
            Question(
                id=r["id"],
                nomination_id=r["nomination_id"],
                reference=r["reference"],
                asked_by=r["asked_by"],
                asked_at=from_db(r["asked_at"]),
                question=r["question"],
                answer=r["answer"],
                answered_at=from_db(r["answered_at"]) if r["answered_at"] else None,
                files=r["files"],
            )
            for r in rows
        ]

    async def answer(self, question_id: int, text: str | None, files: list[EvidenceFile], now: dt.datetime) -> bool:
        """Attach the nominator's answer to the question; False if it was answered already."""
        cur = await self.conn.execute(
            "UPDATE nomination_questions SET answer = ?, answered_at = ? WHERE id = ? AND answered_at IS NULL",
            (text, to_db(now), question_id),
        )
        if cur.rowcount != 1:
            return False
        await self.conn.executemany(
            "INSERT INTO nomination_answer_files (question_id, position, sha256, original_name) VALUES (?, ?, ?, ?)",
            [(question_id, i, f.sha256, f.original_name) for i, f in enumerate(files, start=1)],
        )
        return True

    async def evidence_paths(self, nomination_id: int) -> list[tuple[str, str, str | None]]:
        """(path, mime, original name) of each evidence file sent with the nomination, in the order given."""
        rows = await fetch_all(
            self.conn,
            "SELECT f.path, f.mime, nf.original_name FROM nomination_files nf"
            " JOIN files f ON f.sha256 = nf.sha256 WHERE nf.nomination_id = ? ORDER BY nf.position",
            (nomination_id,),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    async def answer_file_paths(self, question_id: int) -> list[tuple[str, str, str | None]]:
        """(path, mime, original name) of each file the nominator sent with an answer."""
        rows = await fetch_all(
            self.conn,
            "SELECT f.path, f.mime, af.original_name FROM nomination_answer_files af"
            " JOIN files f ON f.sha256 = af.sha256 WHERE af.question_id = ? ORDER BY af.position",
            (question_id,),
        )
        return [(r[0], r[1], r[2]) for r in rows]
