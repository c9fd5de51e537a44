"""Drafts saved before the conversation's mode and each step's work in progress had fields of their own go
on where they stood, with the answers they had."""

from __future__ import annotations

import json
from typing import Any

from bot.app import App
from tests.support.chat import Person
from tests.support.conversations import Member, nominate, secretariat
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


# -- drafts that kept copies of rows among their answers -------------------------------------------------
def _state_of(app: App, person: Person) -> dict[str, Any]:
    ((state,),) = select(
        app.db,
        "SELECT s.state FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.channel = ? AND u.external_id = ?",
        (person.channel, person.user_id),
    )
    found: dict[str, Any] = json.loads(state)
    return found


async def _save_state_of(app: App, person: Person, state: dict[str, Any]) -> None:
    """The person's session as the version that copied rows into the answers saved it."""
    select(
        app.db,
        "UPDATE sessions SET state = ? WHERE user_id = (SELECT id FROM users WHERE channel = ? AND external_id = ?)",
        (json.dumps(state, ensure_ascii=False), person.channel, person.user_id),
    )


async def _ask(desk: Member, question: str) -> None:
    desk.inbox()
    await desk.tap("Hỏi thêm")
    await desk.say(question)
    await desk.tap("Gửi")


async def test_an_answer_draft_with_its_questions_copied_goes_on(app: App) -> None:
    desk = await secretariat(app, "3001")
    binh = Member(app, "1001")
    first = await nominate(binh, "Nguyễn Văn An")
    await _ask(desk, "Ông An bao nhiêu tuổi?")
    second = await nominate(binh, "Lê Thị Hoa")
    await _ask(desk, "Bà Hoa ở ấp nào?")
    await binh.say("/traloi")
    assert "Bước 1/3" in binh.text
    state = _state_of(app, binh)
    ids = state["facts"].pop("questions")
    asked = dict(select(app.db, "SELECT id, question FROM nomination_questions"))
    references = {ids[0]: first, ids[1]: second}
    state["data"]["_open"] = [[qid, references[qid], asked[qid]] for qid in ids]
    await _save_state_of(app, binh, state)

    await binh.tap("Bà Hoa ở ấp nào?")
    assert "Bước 2/3" in binh.text and f"Sở Nội vụ hỏi về đề cử {second}" in binh.text
    await binh.say("Bà Hoa ở ấp Mỹ Phú.")
    await binh.tap("Bỏ qua")
    assert f"Về đề cử: {second}" in binh.text and "Bà Hoa ở ấp nào?" in binh.text
    await binh.tap("Gửi")
    assert f"Đã gửi câu trả lời về đề cử {second}" in binh.text
    assert select(app.db, "SELECT question, answer FROM nomination_questions ORDER BY id") == [
        ("Ông An bao nhiêu tuổi?", None),
        ("Bà Hoa ở ấp nào?", "Bà Hoa ở ấp Mỹ Phú."),
    ]


async def _approve(desk: Member) -> None:
    desk.inbox()
    await desk.tap("Duyệt")
    await desk.tap("Chỉ duyệt")


async def test_a_commendation_draft_with_its_nomination_copied_goes_on(app: App) -> None:
    desk = await secretariat(app, "3001")
    citizen = Member(app, "501")
    reference = await nominate(citizen, "Hội Nông dân xã Mỹ An", collective=True)
    await _approve(desk)
    await desk.say("/khenthuong")
    state = _state_of(app, desk)
    assert state["facts"].pop("choose") is True
    state["data"]["_pickable"] = [[reference, "Hội Nông dân xã Mỹ An"]]
    await _save_state_of(app, desk, state)
    await desk.tap(reference)
    assert "Bước 2/4" in desk.text

    state = _state_of(app, desk)
    ((nomination_id,),) = select(app.db, "SELECT id FROM nominations")
    assert state["data"].pop("nomination") == reference
    state["data"]["_nomination"] = {
        "id": nomination_id,
        "reference": reference,
        "name": "Hội Nông dân xã Mỹ An",
        "kind": "collective",
    }
    await _save_state_of(app, desk, state)
    await desk.tap("Thường xuyên")
    # The nomination is still known as a collective's: the collective titles are offered.
    assert "Danh hiệu “Tập thể lao động tiên tiến”" in desk.buttons
    assert "Danh hiệu “Lao động tiên tiến”" not in desk.buttons
    await desk.tap("Tập thể lao động tiên tiến")
    await desk.tap("Xong")
    assert f"{reference} · Hội Nông dân xã Mỹ An" in desk.text
    await desk.tap("Gửi")
    assert "Đã ghi đề xuất KT-2026-0001" in desk.text
    assert select(app.db, "SELECT form_code, recipient FROM commendation_proposals") == [("TTLDTT", "collective")]


async def test_a_decision_draft_with_its_proposals_copied_goes_on(app: App) -> None:
    desk = await secretariat(app, "3001")
    citizen = Member(app, "501")
    reference = await nominate(citizen, "Nguyễn Văn An")
    await _approve(desk)
    await desk.say(f"/khenthuong {reference}")
    await desk.tap("Đột xuất")
    await desk.tap("Bằng khen của Chủ tịch")
    await desk.tap("Xong")
    await desk.tap("Gửi")
    await desk.say("/quyetdinh")
    state = _state_of(app, desk)
    ((proposal_id, form),) = select(app.db, "SELECT id, form_code FROM commendation_proposals")
    assert state["facts"].pop("open") == [proposal_id]
    state["data"]["_open"] = [[proposal_id, "KT-2026-0001", "Nguyễn Văn An", form]]
    await _save_state_of(app, desk, state)
    await desk.tap("KT-2026-0001")
    await desk.tap("Xong")
    await desk.say("15/QĐ-UBND")
    await desk.say("20/11/2026")
    await desk.say("Nguyễn Văn Bảy")
    assert "KT-2026-0001 · Nguyễn Văn An" in desk.text
    await desk.tap("Gửi")
    assert select(app.db, "SELECT status FROM commendation_proposals") == [("decided",)]


async def test_a_reviewers_draft_from_before_modes_with_the_nominee_copied_goes_on(app: App) -> None:
    desk = await secretariat(app, "3001")
    citizen = Member(app, "501")
    reference = await nominate(citizen, "Nguyễn Văn An")
    desk.inbox()
    await desk.tap("Từ chối")
    state = _state_of(app, desk)
    ((nomination_id,),) = select(app.db, "SELECT id FROM nominations")
    await _save_state_of(
        app,
        desk,
        {
            "conversation": "review_reject",
            "step": "reason",
            "data": {"id": nomination_id, "reference": reference, "nominee": "Nguyễn Văn An", **state["facts"]},
            "history": [],
            "editing": False,
            "pending_choices": [],
        },
    )
    await desk.say("/quaylai")
    assert f"Bạn vui lòng ghi lý do từ chối đề cử {reference} (Nguyễn Văn An)" in desk.text
    await desk.say("Việc làm chưa đủ tiêu biểu để đề cử.")
    assert "Người được đề cử: Nguyễn Văn An" in desk.text
    await desk.tap("Gửi")
    assert f"Đã từ chối đề cử {reference}" in desk.text
    assert select(app.db, "SELECT status FROM nominations") == [("rejected",)]
