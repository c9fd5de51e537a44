from __future__ import annotations

import datetime as dt

from bot.domain.nomination import (
    REFERENCE_PREFIX,
    NewNomination,
    Nomination,
    NominationStatus,
    NomineeKind,
    nomination_reference,
)
from bot.storage.database import Connection, Row, fetch_all, fetch_one, insert_id
from bot.storage.keys import nominee_key
from bot.storage.sequences import next_in_sequence
from bot.storage.timefmt import from_db, to_db

_SELECT = (
    "SELECT n.*, (SELECT COUNT(*) FROM nomination_files f WHERE f.nomination_id = n.id) AS evidence_count"
    " FROM nominations n"
)


def _nomination(row: Row) -> Nomination:
    return Nomination(
        id=row["id"],
        reference=row["reference"],
        status=NominationStatus(row["status"]),
        submitted_by=row["submitted_by"],
        channel=row["channel"],
        nominee_kind=NomineeKind(row["nominee_kind"]),
        nominee_name=row["nominee_name"],
        unit_code=row["unit_code"],
        category_code=row["category_code"],
        deed=row["deed"],
        anonymous=bool(row["anonymous"]),
        nominator_name=row["nominator_name"],
        nominator_phone=row["nominator_phone"],
        consent_at=from_db(row["consent_at"]),
        created_at=from_db(row["created_at"]),
        evidence_count=row["evidence_count"],
        on_behalf_of_unit=row["on_behalf_of_unit"],
    )


class NominationRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def create(self, new: NewNomination, year: int, now: dt.datetime) -> Nomination:
        """Insert the nomination and its evidence; the caller's transaction makes it all-or-nothing."""
        sequence = await next_in_sequence(self.conn, REFERENCE_PREFIX, year)
        reference = nomination_reference(year, sequence)
        nomination_id = await insert_id(
            self.conn,
            "INSERT INTO nominations (reference, campaign_code, status, submitted_by, channel, nominee_kind,"
            " nominee_name, nominee_key, unit_code, category_code, deed, anonymous, nominator_name, nominator_phone,"
            " consent_at, created_at, on_behalf_of_unit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                reference,
                new.campaign_code,
                NominationStatus.SUBMITTED.value,
                new.submitted_by,
                new.channel,
                new.nominee_kind.value,
                new.nominee_name,
                nominee_key(new.nominee_name),
                new.unit_code,
                new.category_code,
                new.deed,
                int(new.anonymous),
                new.nominator_name,
                new.nominator_phone,
                to_db(new.consent_at),
                to_db(now),
                new.on_behalf_of_unit,
            ),
        )
        for position, evidence in enumerate(new.evidence, start=1):
            await self.conn.execute(
                "INSERT INTO nomination_files (nomination_id, position, sha256, original_name) VALUES (?, ?, ?, ?)",
                (nomination_id, position, evidence.sha256, evidence.original_name),
            )
        found = await self.by_reference(reference)
        assert found is not None
        return found

    async def by_reference(self, reference: str) -> Nomination | None:
        row = await fetch_one(self.conn, f"{_SELECT} WHERE n.reference = ?", (reference,))
        return _nomination(row) if row else None

    async def by_submitter(self, user_id: int, limit: int = 20) -> list[Nomination]:
        rows = await fetch_all(
            self.conn,
            f"{_SELECT} WHERE n.submitted_by = ? ORDER BY n.created_at DESC, n.id DESC LIMIT ?",
            (user_id, limit),
        )
        return [_nomination(row) for row in rows]

    async def count_by_submitter(self, user_id: int) -> int:
        row = await fetch_one(self.conn, "SELECT COUNT(*) FROM nominations WHERE submitted_by = ?", (user_id,))
        return int(row[0]) if row else 0

    async def files_of(self, nomination_id: int) -> list[tuple[str, str, int, str]]:
        """(sha256, mime, size, path) of each evidence file, in the order given."""
        rows = await fetch_all(
            self.conn,
            "SELECT f.sha256, f.mime, f.size, f.path FROM nomination_files nf"
            " JOIN files f ON f.sha256 = nf.sha256 WHERE nf.nomination_id = ? ORDER BY nf.position",
            (nomination_id,),
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]
