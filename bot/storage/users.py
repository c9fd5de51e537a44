from __future__ import annotations

import datetime as dt

from bot.domain.users import User
from bot.storage.database import Connection, Row, fetch_one
from bot.storage.timefmt import from_db, to_db


def user_from_row(row: Row) -> User:
    # Built without validation: the row's columns have the model's types already (every update reads one, and
    # validating it cost as much as the read).
    return User.model_construct(
        id=row["id"],
        channel=row["channel"],
        external_id=row["external_id"],
        chat_id=row["chat_id"],
        display_name=row["display_name"],
        lang=row["lang"],
        created_at=from_db(row["created_at"]),
    )


def up_to_date(user: User, chat_id: str, display_name: str | None) -> bool:
    """Whether the stored person already has this chat and name (a name not given changes nothing)."""
    return user.chat_id == chat_id and not (display_name and user.display_name != display_name)


class UserRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, channel: str, external_id: str) -> User | None:
        row = await fetch_one(
            self.conn, "SELECT * FROM users WHERE channel = ? AND external_id = ?", (channel, external_id)
        )
        return user_from_row(row) if row else None

    async def by_id(self, user_id: int) -> User | None:
        row = await fetch_one(self.conn, "SELECT * FROM users WHERE id = ?", (user_id,))
        return user_from_row(row) if row else None

    async def get_or_create(
        self,
        channel: str,
        external_id: str,
        chat_id: str,
        display_name: str | None,
        lang: str,
        now: dt.datetime,
    ) -> User:
        user = await self.get(channel, external_id)
        if user is None:
            await self.conn.execute(
                "INSERT INTO users (channel, external_id, chat_id, display_name, lang, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (channel, external_id, chat_id, display_name, lang, to_db(now)),
            )
        elif not up_to_date(user, chat_id, display_name):
            await self.conn.execute(
                "UPDATE users SET chat_id = ?, display_name = COALESCE(?, display_name) WHERE id = ?",
                (chat_id, display_name, user.id),
            )
        else:
            return user
        found = await self.get(channel, external_id)
        assert found is not None
        return found

    async def set_lang(self, user_id: int, lang: str) -> None:
        await self.conn.execute("UPDATE users SET lang = ? WHERE id = ?", (lang, user_id))
