from __future__ import annotations

import datetime as dt
import json
from typing import Any

from bot.domain.audit import AuditEntry
from bot.storage.database import Connection, fetch_all
from bot.storage.timefmt import from_db, to_db


async def audit(
    conn: Connection,
    now: dt.datetime,
    action: str,
    *,
    actor: int | None,
    channel: str | None,
    subject: str | None = None,
    **detail: Any,
) -> None:
    """Append one line to the audit log, inside the caller's transaction (so it exists iff the change does).
    The table's triggers refuse any UPDATE or DELETE, so a line once written stays as it was."""
    await conn.execute(
        "INSERT INTO audit_log (at, actor_user_id, channel, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (
            to_db(now),
            actor,
            channel,
            str(action),
            subject,
            json.dumps(detail, ensure_ascii=False) if detail else None,
        ),
    )


class AuditRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def add(
        self,
        now: dt.datetime,
        action: str,
        *,
        actor: int | None,
        channel: str | None,
        subject: str | None = None,
        **detail: Any,
    ) -> None:
        """One line in the audit log, in this unit of work's transaction (see `audit`)."""
        await audit(self.conn, now, action, actor=actor, channel=channel, subject=subject, **detail)

    async def recent(self, limit: int = 50, action_prefix: str = "") -> list[AuditEntry]:
        """The latest lines, newest first, optionally only those whose action starts with a prefix."""
        rows = await fetch_all(
            self.conn,
            "SELECT * FROM audit_log WHERE action LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?",
            (action_prefix.replace("%", "\\%").replace("_", "\\_") + "%", limit),
        )
        return [
            AuditEntry(
                id=r["id"],
                at=from_db(r["at"]),
                actor_user_id=r["actor_user_id"],
                channel=r["channel"],
                action=r["action"],
                subject=r["subject"],
                detail=json.loads(r["detail"]) if r["detail"] else {},
            )
            for r in rows
        ]
