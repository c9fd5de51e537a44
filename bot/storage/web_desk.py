"""What the web desk reads: the review queue with its filters, a nomination's files, its history."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from bot.domain.nomination import NominationStatus
from bot.domain.review import OPEN, nominee_key
from bot.storage.database import Connection, fetch_all, fetch_one
from bot.storage.timefmt import from_db, to_db


class QueueFilter(BaseModel):
    """The queue's filters as the page's form gives them; empty means "any"."""

    status: str = "open"  # "open" (all still before the desk), "all", or one status
    group: str = ""
    unit: str = ""
    category: str = ""  # a movement or content area
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    evidence: bool = False
    duplicate: bool = False
    query: str = ""
    newest_first: bool = False
    page: int = 1


class QueueRow(BaseModel):
    id: int
    reference: str
    nominee_name: str
    unit_code: str
    status: NominationStatus
    created_at: dt.datetime
    waiting_since: dt.datetime
    evidence_count: int
    duplicate_of: str | None


PAGE_SIZE = 50


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(f: QueueFilter) -> tuple[str, list[Any]]:
    clauses = ["r.merged_into IS NULL"]
    params: list[Any] = []
    if f.status == "open":
        clauses.append(f"n.status IN ({', '.join('?' for _ in OPEN)})")
        params += sorted(s.value for s in OPEN)
    elif f.status != "all":
        clauses.append("n.status = ?")
        params.append(f.status)
    if f.unit:
        clauses.append("n.unit_code = ?")
        params.append(f.unit)
    if f.category:
        clauses.append("n.category_code = ?")
        params.append(f.category)
    if f.group:
        clauses.append("n.unit_code IN (SELECT code FROM current_units WHERE group_code = ?)")
        params.append(f.group)
    if f.since is not None:
        clauses.append("n.created_at >= ?")
        params.append(to_db(f.since))
    if f.until is not None:
        clauses.append("n.created_at < ?")
        params.append(to_db(f.until))
    if f.evidence:
        clauses.append("EXISTS (SELECT 1 FROM nomination_files e WHERE e.nomination_id = n.id)")
    if f.duplicate:
        clauses.append("r.duplicate_of IS NOT NULL")
    key = nominee_key(f.query)
    if key:
        # A reference is typed as it is printed; anything else is part of a name, compared by the folded key
        # stored with each nomination (no diacritics, case or spacing).
        clauses.append("(n.reference LIKE ? ESCAPE '\\' OR n.nominee_key LIKE ? ESCAPE '\\')")
        params += [_like(f.query.strip()), _like(key)]
    return " AND ".join(clauses), params


class StoredFile(BaseModel):
    position: int
    path: str
    mime: str
    size: int
    original_name: str | None


class HistoryLine(BaseModel):
    at: dt.datetime
    action: str
    actor: str | None
    channel: str | None
    detail: str | None


class AuditLine(BaseModel):
    id: int
    at: dt.datetime
    actor: str | None
    channel: str | None
    action: str
    subject: str | None
    detail: str | None


AUDIT_PAGE = 100


class WebDeskRepo:
    """The desk's own views of the data: pages of the queue and the audit log, a nomination's files."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def queue(self, f: QueueFilter) -> tuple[list[QueueRow], bool]:
        """One page of the queue, and whether there is another after it."""
        where, params = _where(f)
        order = "DESC" if f.newest_first else "ASC"
        rows = await fetch_all(
            self.conn,
            "SELECT n.id, n.reference, n.nominee_name, n.unit_code, n.status, n.created_at,"
            " COALESCE(r.status_since, n.created_at) AS waiting_since,"
            " (SELECT COUNT(*) FROM nomination_files e WHERE e.nomination_id = n.id) AS evidence_count,"
            " d.reference AS duplicate_ref"
            " FROM nominations n LEFT JOIN nomination_reviews r ON r.nomination_id = n.id"
            " LEFT JOIN nominations d ON d.id = r.duplicate_of"
            f" WHERE {where} ORDER BY waiting_since {order}, n.id {order} LIMIT ? OFFSET ?",
            (*params, PAGE_SIZE + 1, (max(f.page, 1) - 1) * PAGE_SIZE),
        )
        found = [
            QueueRow(
                id=r["id"],
                reference=r["reference"],
                nominee_name=r["nominee_name"],
                unit_code=r["unit_code"],
                status=NominationStatus(r["status"]),
                created_at=from_db(r["created_at"]),
                waiting_since=from_db(r["waiting_since"]),
                evidence_count=r["evidence_count"],
                duplicate_of=r["duplicate_ref"],
            )
            for r in rows
        ]
        return found[:PAGE_SIZE], len(found) > PAGE_SIZE

    async def unit_names(self, codes: set[str]) -> dict[str, str]:
        if not codes:
            return {}
        marks = ", ".join("?" for _ in codes)
        rows = await fetch_all(self.conn, f"SELECT code, name FROM current_units WHERE code IN ({marks})", tuple(codes))
        return {r[0]: r[1] for r in rows}

    async def groups_in_use(self) -> list[str]:
        rows = await fetch_all(
            self.conn, "SELECT DISTINCT group_code FROM current_units WHERE group_code IS NOT NULL ORDER BY group_code"
        )
        return [r[0] for r in rows]

    async def evidence(self, nomination_id: int) -> list[StoredFile]:
        rows = await fetch_all(
            self.conn,
            "SELECT nf.position, f.path, f.mime, f.size, nf.original_name FROM nomination_files nf"
            " JOIN files f ON f.sha256 = nf.sha256 WHERE nf.nomination_id = ? ORDER BY nf.position",
            (nomination_id,),
        )
        return [StoredFile(position=r[0], path=r[1], mime=r[2], size=r[3], original_name=r[4]) for r in rows]

    async def evidence_file(self, nomination_id: int, position: int) -> StoredFile | None:
        row = await fetch_one(
            self.conn,
            "SELECT nf.position, f.path, f.mime, f.size, nf.original_name FROM nomination_files nf"
            " JOIN files f ON f.sha256 = nf.sha256 WHERE nf.nomination_id = ? AND nf.position = ?",
            (nomination_id, position),
        )
        return StoredFile(position=row[0], path=row[1], mime=row[2], size=row[3], original_name=row[4]) if row else None

    async def answer_file(self, nomination_id: int, question_id: int, position: int) -> StoredFile | None:
        row = await fetch_one(
            self.conn,
            "SELECT af.position, f.path, f.mime, f.size, af.original_name FROM nomination_answer_files af"
            " JOIN nomination_questions q ON q.id = af.question_id JOIN files f ON f.sha256 = af.sha256"
            " WHERE q.nomination_id = ? AND af.question_id = ? AND af.position = ?",
            (nomination_id, question_id, position),
        )
        return StoredFile(position=row[0], path=row[1], mime=row[2], size=row[3], original_name=row[4]) if row else None

    async def history(self, reference: str) -> list[HistoryLine]:
        rows = await fetch_all(
            self.conn,
            "SELECT a.at, a.action, COALESCE(u.display_name, u.external_id), a.channel, a.detail FROM audit_log a"
            " LEFT JOIN users u ON u.id = a.actor_user_id WHERE a.subject = ? ORDER BY a.id",
            (reference,),
        )
        return [HistoryLine(at=from_db(r[0]), action=r[1], actor=r[2], channel=r[3], detail=r[4]) for r in rows]

    async def audit_lines(
        self,
        *,
        action: str = "",
        subject: str = "",
        since: dt.datetime | None = None,
        until: dt.datetime | None = None,
        before_id: int | None = None,
    ) -> list[AuditLine]:
        """The log, newest first, a page at a time (lines older than `before_id`)."""
        clauses: list[str] = ["1 = 1"]
        params: list[Any] = []
        if action:
            clauses.append("a.action LIKE ? ESCAPE '\\'")
            params.append(action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        if subject:
            clauses.append("a.subject = ?")
            params.append(subject)
        if since is not None:
            clauses.append("a.at >= ?")
            params.append(to_db(since))
        if until is not None:
            clauses.append("a.at < ?")
            params.append(to_db(until))
        if before_id is not None:
            clauses.append("a.id < ?")
            params.append(before_id)
        rows = await fetch_all(
            self.conn,
            "SELECT a.id, a.at, COALESCE(u.display_name, u.external_id), a.channel, a.action, a.subject, a.detail"
            " FROM audit_log a"
            f" LEFT JOIN users u ON u.id = a.actor_user_id WHERE {' AND '.join(clauses)} ORDER BY a.id DESC LIMIT ?",
            (*params, AUDIT_PAGE + 1),
        )
        return [
            AuditLine(id=r[0], at=from_db(r[1]), actor=r[2], channel=r[3], action=r[4], subject=r[5], detail=r[6])
            for r in rows
        ]

    async def audit_actions(self) -> list[str]:
        return [r[0] for r in await fetch_all(self.conn, "SELECT DISTINCT action FROM audit_log ORDER BY action")]
