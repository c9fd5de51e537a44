from __future__ import annotations

import datetime as dt

from bot.conversation.messages import Choice
from bot.conversation.session import Session
from bot.storage.database import Connection, fetch_one
from bot.storage.timefmt import from_db, to_db


class SessionRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def load(self, user_id: int) -> Session:
        row = await fetch_one(self.conn, "SELECT state, updated_at FROM sessions WHERE user_id = ?", (user_id,))
        if row is None:
            return Session()
        session = Session.model_validate_json(row["state"])
        session.updated_at = from_db(row["updated_at"])
        return session

    async def save(self, user_id: int, session: Session, now: dt.datetime) -> None:
        session.updated_at = now
        await self.conn.execute(
            "INSERT INTO sessions (user_id, state, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (user_id, session.model_dump_json(exclude={"updated_at"}), to_db(now)),
        )

    async def offer_choices(self, user_id: int, choices: list[Choice], shown_at: dt.datetime, now: dt.datetime) -> bool:
        """Make the choices of a message the bot sent on its own (shown from `shown_at`) the ones "1" or a
        label picks, whatever the chat was at, a menu, a step or another card: a number answers the latest
        message with choices. Not when the chat got an answer since that message went out (the person typed
        /batdau while the card was on its way): that answer is the latest."""
        session = await self.load(user_id)
        if session.choices_at is not None and session.choices_at > shown_at:
            return False
        session.pending_choices = choices
        session.choices_at = shown_at
        await self.save(user_id, session, now)
        return True
