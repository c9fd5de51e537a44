"""Sign-in links and desk sessions. A token is shown once (in the link, in the cookie); only its SHA-256 is kept."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from pydantic import BaseModel

from bot.domain.users import User
from bot.storage.database import Connection, fetch_one
from bot.storage.timefmt import from_db, to_db
from bot.storage.users import user_from_row


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class DeskSession(BaseModel):
    id: int
    user: User
    csrf: str
    seen_at: dt.datetime


class WebAuthRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- one-time links --------------------------------------------------------------------------------
    async def links_since(self, user_id: int, since: dt.datetime) -> int:
        row = await fetch_one(
            self.conn,
            "SELECT COUNT(*) FROM web_links WHERE user_id = ? AND created_at >= ?",
            (user_id, to_db(since)),
        )
        return int(row[0]) if row else 0

    async def create_link(self, user_id: int, now: dt.datetime, valid_for: dt.timedelta) -> str:
        token = secrets.token_urlsafe(32)
        await self.conn.execute(
            "INSERT INTO web_links (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (token_hash(token), user_id, to_db(now), to_db(now + valid_for)),
        )
        return token

    async def link_user(self, token: str, now: dt.datetime) -> User | None:
        """Whose link this is, if it can still be used (for the page with the button; uses nothing)."""
        row = await fetch_one(
            self.conn,
            "SELECT u.* FROM web_links l JOIN users u ON u.id = l.user_id"
            " WHERE l.token_hash = ? AND l.used_at IS NULL AND l.expires_at > ?",
            (token_hash(token), to_db(now)),
        )
        return user_from_row(row) if row else None

    async def use_link(self, token: str, now: dt.datetime) -> int | None:
        """Use the link up: the user it was for, or None if it is unknown, used or expired. Of two uses at once
        one finds it used."""
        row = await fetch_one(
            self.conn,
            "UPDATE web_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?"
            " RETURNING user_id",
            (to_db(now), token_hash(token), to_db(now)),
        )
        return int(row[0]) if row else None

    # -- sessions --------------------------------------------------------------------------------------
    async def start_session(self, user_id: int, now: dt.datetime) -> str:
        token = secrets.token_urlsafe(32)
        await self.conn.execute(
            "INSERT INTO web_sessions (token_hash, user_id, csrf, created_at, seen_at) VALUES (?, ?, ?, ?, ?)",
            (token_hash(token), user_id, secrets.token_urlsafe(32), to_db(now), to_db(now)),
        )
        return token

    async def session(self, token: str, now: dt.datetime, idle: dt.timedelta) -> DeskSession | None:
        """The open session this cookie names, unless it ended or was left idle too long."""
        row = await fetch_one(
            self.conn,
            "SELECT s.id AS session_id, s.csrf, s.seen_at, u.* FROM web_sessions s JOIN users u ON u.id = s.user_id"
            " WHERE s.token_hash = ? AND s.ended_at IS NULL AND s.seen_at > ?",
            (token_hash(token), to_db(now - idle)),
        )
        if row is None:
            return None
        return DeskSession(
            id=row["session_id"], user=user_from_row(row), csrf=row["csrf"], seen_at=from_db(row["seen_at"])
        )

    async def touch(self, session_id: int, now: dt.datetime) -> None:
        await self.conn.execute("UPDATE web_sessions SET seen_at = ? WHERE id = ?", (to_db(now), session_id))

    async def end_session(self, token: str, now: dt.datetime) -> None:
        await self.conn.execute(
            "UPDATE web_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
            (to_db(now), token_hash(token)),
        )
