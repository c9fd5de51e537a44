from __future__ import annotations

import datetime as dt
import json
from typing import Any

import aiosqlite

from bot.storage.timefmt import to_db


async def audit(
    conn: aiosqlite.Connection,
    now: dt.datetime,
    action: str,
    *,
    actor: int | None,
    channel: str | None,
    subject: str | None = None,
    **detail: Any,
) -> None:
    """Append one line to the audit log, inside the caller's transaction (so it exists iff the change does)."""
    await conn.execute(
        "INSERT INTO audit_log (at, actor_user_id, channel, action, subject, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (
            to_db(now),
            actor,
            channel,
            action,
            subject,
            json.dumps(detail, ensure_ascii=False) if detail else None,
        ),
    )
