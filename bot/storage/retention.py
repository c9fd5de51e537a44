"""Phone numbers are kept only as long as they are needed: removed from drafts nobody came back to, and from
the copies of messages the outbox has finished with. The nomination itself keeps its nominator's number for
the secretariat; these are the copies around it."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from bot.domain.input_text import PHONE_IN_TEXT
from bot.storage.database import Connection, fetch_all, fetch_one
from bot.storage.timefmt import to_db

REMOVED = "[SĐT đã xoá]"
# The session key the nomination's phone step answers under.
DRAFT_PHONE_KEY = "phone"
_OUTBOX_SWEEP = "outbox_phones"


@dataclass(frozen=True)
class Swept:
    drafts: int
    messages: int


def redact_phones(text: str) -> str:
    return PHONE_IN_TEXT.sub(REMOVED, text)


async def forget_phone_numbers(conn: Connection, older_than: dt.datetime) -> Swept:
    """Remove phone numbers from drafts untouched since `older_than` and from outbox messages finished with
    (sent or given up) before it. Idempotent: a second sweep finds nothing to change."""
    cutoff = to_db(older_than)
    drafts = 0
    for row in await fetch_all(
        conn,
        "SELECT user_id, state FROM sessions WHERE updated_at < ? AND state LIKE '%\"' || ? || '\"%'",
        (cutoff, DRAFT_PHONE_KEY),
    ):
        state = json.loads(row["state"])
        data = state.get("data") or {}
        if DRAFT_PHONE_KEY not in data:
            continue
        data.pop(DRAFT_PHONE_KEY)
        # updated_at is left alone: the draft is as abandoned as it was.
        await conn.execute(
            "UPDATE sessions SET state = ? WHERE user_id = ?", (json.dumps(state, ensure_ascii=False), row["user_id"])
        )
        drafts += 1
    messages = 0
    # Messages are read once, from where the last sweep stopped; one that finished later is in a later window.
    since = await fetch_one(conn, "SELECT swept_until FROM retention_sweeps WHERE name = ?", (_OUTBOX_SWEEP,))
    for row in await fetch_all(
        conn,
        "SELECT id, payload FROM outbox WHERE status IN ('sent', 'failed')"
        " AND COALESCE(sent_at, created_at) >= ? AND COALESCE(sent_at, created_at) < ?",
        (since["swept_until"] if since else "", cutoff),
    ):
        payload = str(row["payload"])
        redacted = redact_phones(payload)
        if redacted != payload:
            await conn.execute("UPDATE outbox SET payload = ? WHERE id = ?", (redacted, row["id"]))
            messages += 1
    await conn.execute(
        "INSERT INTO retention_sweeps (name, swept_until) VALUES (?, ?)"
        " ON CONFLICT (name) DO UPDATE SET swept_until = excluded.swept_until",
        (_OUTBOX_SWEEP, cutoff),
    )
    return Swept(drafts=drafts, messages=messages)
