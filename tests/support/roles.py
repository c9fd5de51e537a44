"""Giving test people their roles the way real people get them: an invite code and /dangky."""

from __future__ import annotations

import datetime as dt

from bot.app import App
from bot.domain.policy import Grant, Role
from bot.storage.invites import InviteRepo
from bot.storage.roles import RoleRepo
from bot.storage.users import UserRepo
from tests.support.chat import Person


async def invite_code(app: App, grant: Grant, uses: int = 1, valid_for: dt.timedelta = dt.timedelta(days=14)) -> str:
    now = app.services.clock.now()
    async with app.db.transaction() as conn:
        code, _ = await InviteRepo(conn).create(grant, uses, now + valid_for, None, now)
    return code


async def registered(app: App, user_id: str, grant: Grant) -> Person:
    person = Person(app, user_id)
    await person.say(f"/dangky {await invite_code(app, grant)}")
    assert "Đăng ký thành công" in person.text, person.text
    return person


async def representative(app: App, user_id: str, unit: str) -> Person:
    return await registered(app, user_id, Grant(role=Role.UNIT_REP, unit_code=unit))


async def revoke(app: App, user_id: str, grant: Grant) -> None:
    now = app.services.clock.now()
    async with app.db.transaction() as conn:
        user = await UserRepo(conn).get("console", user_id)
        assert user is not None
        assert await RoleRepo(conn).revoke(user.id, grant, now, channel="cli")
