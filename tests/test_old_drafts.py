"""Drafts saved before the conversation's mode and each step's work in progress had fields of their own go
on where they stood, with the answers they had."""

from __future__ import annotations

import json
from typing import Any

from bot.app import App
from tests.support.chat import Person
from tests.support.engines import select

# Each database test runs on SQLite and on PostgreSQL.
BOTH_ENGINES = True

CAO_LANH = [["H-CAOLANH", "Huyện Cao Lãnh"], ["TP-CAOLANH", "Thành phố Cao Lãnh"]]


async def _save_old_shape(app: App, state: dict[str, Any]) -> None:
    """The person's session as an older version of the bot wrote it (`history`, modes and the steps' work
    among the answers)."""
    ((user_id,),) = select(app.db, "SELECT user_id FROM sessions")
    async with app.db.transaction() as conn:
        await conn.execute(
            "UPDATE sessions SET state = ? WHERE user_id = ?", (json.dumps(state, ensure_ascii=False), user_id)
        )


async def test_an_old_draft_picking_among_units_goes_on(app: App) -> None:
    person = Person(app)
    await person.say("/decu")
    await person.tap("Cá nhân")
    await person.say("Võ Thị Em")
    await person.say("cao lanh")
    codes = {c.value.rsplit(":", 1)[1] for r in person.last for c in r.choices}
    await _save_old_shape(
        app,
        {
            "conversation": "nominate",
            "step": "unit",
            "data": {
                "kind": "individual",
                "name": "Võ Thị Em",
                "_unit_matches": [m for m in CAO_LANH if m[0] in codes],
            },
            "history": [],
            "editing": False,
            "pending_choices": [],
        },
    )
    await person.tap("Huyện Cao Lãnh")
    assert "Bước 4/9" in person.text
    await person.say("/quaylai")
    assert "Bước 3/9" in person.text and "Huyện Cao Lãnh" in person.text  # the name kept for showing


async def test_an_old_draft_asked_whether_to_cancel_goes_back_to_its_summary(app: App) -> None:
    person = Person(app)
    await person.say("/decu")
    await person.tap("Cá nhân")
    await _save_old_shape(
        app,
        {
            "conversation": "nominate",
            "step": "_cancel",
            "data": {
                "kind": "individual",
                "name": "Nguyễn Văn An",
                "unit": "H-THAPMUOI",
                "_unit_name": "Huyện Tháp Mười",
                "category": "PT01",
                "deed": "Ông đã vận động bà con góp tiền làm lại cây cầu khỉ cho học sinh đi học an toàn.",
                "evidence": [],
                "nominator": {"anonymous": True},
                "consent": "2026-11-28T08:00:00+00:00",
                "_return": "_summary",
            },
            "history": ["kind", "name"],
            "editing": False,
            "pending_choices": [],
        },
    )
    await person.say("/huy")
    assert "Bạn có chắc muốn hủy?" in person.text
    await person.tap("Không")
    assert "Xem lại trước khi gửi" in person.text and "Huyện Tháp Mười" in person.text
    await person.tap("Gửi")
    assert "NTVT-2026-000001" in person.text
