"""Proposals of commendation and the decisions that grant them."""

from __future__ import annotations

import datetime as dt
import json

from bot.domain.awards import Eligibility, Outcome, Recipient
from bot.domain.commendation import (
    PROPOSAL_PREFIX,
    Decision,
    DecisionMismatch,
    Method,
    Proposal,
    ProposalStatus,
    proposal_reference,
)
from bot.storage.database import Connection, Row, fetch_all, fetch_one, insert_id
from bot.storage.sequences import next_in_sequence
from bot.storage.timefmt import from_db, to_db

_SELECT = (
    "SELECT p.*, n.reference AS nomination_reference, n.nominee_name, n.unit_code, n.deed, d.number"
    " FROM commendation_proposals p JOIN nominations n ON n.id = p.nomination_id"
    " LEFT JOIN commendation_decisions d ON d.id = p.decision_id"
)


def _proposal(r: Row) -> Proposal:
    return Proposal(
        id=r["id"],
        reference=r["reference"],
        nomination_id=r["nomination_id"],
        nomination_reference=r["nomination_reference"],
        nominee_name=r["nominee_name"],
        unit_code=r["unit_code"],
        deed=r["deed"],
        form_code=r["form_code"],
        recipient=Recipient(r["recipient"]),
        method=Method(r["method"]),
        eligibility=Outcome(r["eligibility"]),
        status=ProposalStatus(r["status"]),
        decision_number=r["number"],
        proposed_at=from_db(r["proposed_at"]),
        decided_at=from_db(r["decided_at"]) if r["decided_at"] else None,
    )


def _decision(r: Row) -> Decision:
    return Decision(id=r["id"], number=r["number"], signed_on=dt.date.fromisoformat(r["signed_on"]), signer=r["signer"])


class CommendationRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def propose(
        self,
        nomination_id: int,
        eligibility: Eligibility,
        recipient: Recipient,
        method: Method,
        by: int | None,
        now: dt.datetime,
        year: int,
    ) -> Proposal:
        reference = proposal_reference(year, await next_in_sequence(self.conn, PROPOSAL_PREFIX, year))
        checked = {r.criterion.code: r.outcome.value for r in eligibility.results}
        proposal_id = await insert_id(
            self.conn,
            "INSERT INTO commendation_proposals (reference, nomination_id, form_code, recipient, method,"
            " eligibility, checked, proposed_by, proposed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                reference,
                nomination_id,
                eligibility.form.code,
                recipient.value,
                method.value,
                eligibility.outcome.value,
                json.dumps(checked),
                by,
                to_db(now),
            ),
        )
        proposal = await self.get(proposal_id)
        assert proposal is not None
        return proposal

    async def get(self, proposal_id: int) -> Proposal | None:
        row = await fetch_one(self.conn, f"{_SELECT} WHERE p.id = ?", (proposal_id,))
        return _proposal(row) if row else None

    async def many(self, proposal_ids: list[int]) -> list[Proposal]:
        """The proposals of these ids, whatever became of them, in the order of their ids."""
        if not proposal_ids:
            return []
        marks = ", ".join("?" for _ in proposal_ids)
        rows = await fetch_all(self.conn, f"{_SELECT} WHERE p.id IN ({marks}) ORDER BY p.id", tuple(proposal_ids))
        return [_proposal(r) for r in rows]

    async def of_nomination(self, nomination_id: int) -> list[Proposal]:
        rows = await fetch_all(self.conn, f"{_SELECT} WHERE p.nomination_id = ? ORDER BY p.id", (nomination_id,))
        return [_proposal(r) for r in rows]

    async def open(self, limit: int = 50) -> list[Proposal]:
        rows = await fetch_all(self.conn, f"{_SELECT} WHERE p.status = 'proposed' ORDER BY p.id LIMIT ?", (limit,))
        return [_proposal(r) for r in rows]

    async def approved_without_proposal(self, statuses: tuple[str, ...], limit: int = 10) -> list[list[str]]:
        """[reference, nominee] of nominations in those statuses with no live proposal yet, oldest first."""
        marks = ", ".join("?" for _ in statuses)
        rows = await fetch_all(
            self.conn,
            f"SELECT n.reference, n.nominee_name FROM nominations n WHERE n.status IN ({marks})"
            " AND NOT EXISTS (SELECT 1 FROM commendation_proposals p WHERE p.nomination_id = n.id"
            " AND p.status != 'withdrawn') ORDER BY n.id LIMIT ?",
            (*statuses, limit),
        )
        return [[r[0], r[1]] for r in rows]

    async def decision(self, number: str) -> Decision | None:
        row = await fetch_one(self.conn, "SELECT * FROM commendation_decisions WHERE number = ?", (number,))
        return _decision(row) if row else None

    async def decide(
        self, proposal_ids: list[int], number: str, signed_on: dt.date, signer: str, by: int | None, now: dt.datetime
    ) -> Decision:
        """Record the decision (or add to the one of that number, if its date and signer agree) and mark the
        proposals granted by it. Raises DecisionMismatch if the number names another decision."""
        existing = await self.decision(number)
        if existing is not None and (existing.signed_on, existing.signer) != (signed_on, signer):
            raise DecisionMismatch(existing)
        if existing is None:
            await self.conn.execute(
                "INSERT INTO commendation_decisions (number, signed_on, signer, recorded_by, recorded_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (number, signed_on.isoformat(), signer, by, to_db(now)),
            )
            existing = await self.decision(number)
            assert existing is not None
        marks = ", ".join("?" for _ in proposal_ids)
        await self.conn.execute(
            f"UPDATE commendation_proposals SET status = 'decided', decision_id = ?, decided_at = ?"
            f" WHERE id IN ({marks}) AND status = 'proposed'",
            (existing.id, to_db(now), *proposal_ids),
        )
        return existing

    async def in_decision(self, number: str) -> list[Proposal]:
        rows = await fetch_all(self.conn, f"{_SELECT} WHERE d.number = ? ORDER BY p.id", (number,))
        return [_proposal(r) for r in rows]

    async def decided_in(self, year: int) -> list[tuple[str, Recipient, Method]]:
        """(form, recipient, method) of every proposal granted by a decision signed in the year."""
        rows = await fetch_all(
            self.conn,
            "SELECT p.form_code, p.recipient, p.method FROM commendation_proposals p"
            " JOIN commendation_decisions d ON d.id = p.decision_id"
            " WHERE p.status = 'decided' AND d.signed_on >= ? AND d.signed_on <= ?",
            (f"{year}-01-01", f"{year}-12-31"),
        )
        return [(r[0], Recipient(r[1]), Method(r[2])) for r in rows]
