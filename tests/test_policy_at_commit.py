"""The policy is asked again when a staff flow commits: a role revoked at any step of a draft (announce,
export, report, reject, ask for more, approve) ends in the usual refusal, with nothing sent and nothing written."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import App
from bot.conversation.messages import Kind
from bot.domain.policy import Action, Grant, Role
from bot.handlers.router import build_router
from bot.storage.roles import RoleRepo
from tests.support.chat import Person
from tests.support.conversations import POVERTY, YEAR_END, nominate
from tests.support.refusals import refused
from tests.support.roles import registered

# What a committed flow leaves behind; the roles and the sessions change when a role is revoked, and the
# audit log gains its role.revoked line, so those are left out of the comparison.
WRITTEN = [
    "SELECT COUNT(*) FROM outbox",
    "SELECT COUNT(*) FROM announcements",
    "SELECT COUNT(*) FROM reports",
    "SELECT COUNT(*) FROM nomination_questions",
    "SELECT * FROM nomination_reviews",
    "SELECT status FROM nominations ORDER BY id",
    "SELECT action FROM audit_log WHERE action NOT LIKE 'role.%' ORDER BY id",
]

Input = tuple[str, str]  # ("say", text) or ("tap", part of a button's label)


@dataclass(frozen=True)
class StaffFlow:
    grant: Grant
    inputs: list[Input]
    needs_a_nomination: bool = False


SECRETARIAT = Grant(role=Role.SECRETARIAT)
FLOWS: dict[str, StaffFlow] = {
    "announce": StaffFlow(
        SECRETARIAT,
        [
            ("say", "/thongbao"),
            ("say", "Đề nghị các đơn vị gửi báo cáo năm trước ngày 10/12."),
            ("tap", "Tất cả"),
            ("tap", "✅ Gửi"),
        ],
    ),
    "export": StaffFlow(
        SECRETARIAT,
        [("say", "/xuat"), ("tap", "Báo cáo tổng kết năm 2026"), ("tap", "Bảng tính Excel"), ("tap", "Gửi")],
    ),
    "report": StaffFlow(
        Grant(role=Role.UNIT_REP, unit_code="H-THAPMUOI"),
        [
            ("say", "/baocao"),
            ("tap", YEAR_END),
            ("tap", "Giảm nghèo bền vững"),
            ("tap", "Xong (1 đã chọn)"),
            ("say", POVERTY),
            ("say", "120"),
            ("say", "2,75"),
            ("tap", "Bỏ qua"),
            ("tap", "Gửi"),
        ],
    ),
    "reject": StaffFlow(
        SECRETARIAT,
        [("tap", "Từ chối"), ("say", "Việc làm chưa có xác nhận của chính quyền địa phương."), ("tap", "Gửi")],
        needs_a_nomination=True,
    ),
    "ask": StaffFlow(
        SECRETARIAT,
        [("tap", "Hỏi thêm"), ("say", "Anh chị có ảnh cây cầu sau khi làm xong không?"), ("tap", "Gửi")],
        needs_a_nomination=True,
    ),
    "approve": StaffFlow(SECRETARIAT, [("tap", "Duyệt"), ("tap", "Chỉ duyệt")], needs_a_nomination=True),
}
CASES = [(name, at) for name, flow in FLOWS.items() for at in range(1, len(flow.inputs))]


def written(path: Path) -> list[list[tuple[object, ...]]]:
    with sqlite3.connect(path) as conn:
        return [conn.execute(sql).fetchall() for sql in WRITTEN]


async def play(person: Person, step: Input) -> None:
    verb, what = step
    await (person.say(what) if verb == "say" else person.tap(what))


async def revoke(app: App, user_id: str, grant: Grant) -> None:
    async with app.db.transaction() as conn:
        ((internal,),) = await (
            await conn.execute("SELECT id FROM users WHERE channel = 'console' AND external_id = ?", (user_id,))
        ).fetchall()
        assert await RoleRepo(conn).revoke(int(internal), grant, app.services.clock.now(), channel="cli")


@pytest.mark.parametrize(("name", "at"), CASES, ids=[f"{name}-before-input-{at + 1}" for name, at in CASES])
async def test_a_role_revoked_mid_flow_stops_the_commit(app: App, name: str, at: int) -> None:
    flow = FLOWS[name]
    await registered(app, "2001", Grant(role=Role.UNIT_REP, unit_code="H-LAPVO"))  # someone to announce to
    staff = await registered(app, "4001", flow.grant)
    if flow.needs_a_nomination:
        await nominate(Person(app, "1001"))
        with sqlite3.connect(app.db.path) as conn:
            ((nomination,),) = conn.execute("SELECT id FROM nominations").fetchall()
        # The card's buttons, as the reviewer has them in their chat.
        await staff.send_kind(Kind.CHOICE, choice=f"rv:view:{nomination}")
    before = written(app.db.path)
    for step in flow.inputs[:at]:
        await play(staff, step)
    assert not refused(staff.text), staff.text
    await revoke(app, "4001", flow.grant)
    for step in flow.inputs[at:]:
        await play(staff, step)
        if refused(staff.text):
            break
    assert refused(staff.text), staff.text
    assert written(app.db.path) == before
    # The draft is gone: the next word is not taken as its answer.
    await staff.say("xin chào")
    assert not refused(staff.text) and "Gửi" not in staff.buttons


@pytest.mark.parametrize("name", list(FLOWS))
async def test_unrevoked_the_same_inputs_commit(app: App, name: str) -> None:
    """The table's inputs do reach a commit when nobody takes the role away, so the refusals above are real."""
    flow = FLOWS[name]
    await registered(app, "2001", Grant(role=Role.UNIT_REP, unit_code="H-LAPVO"))  # someone to announce to
    staff = await registered(app, "4001", flow.grant)
    if flow.needs_a_nomination:
        await nominate(Person(app, "1001"))
        with sqlite3.connect(app.db.path) as conn:
            ((nomination,),) = conn.execute("SELECT id FROM nominations").fetchall()
        await staff.send_kind(Kind.CHOICE, choice=f"rv:view:{nomination}")
    before = written(app.db.path)
    for step in flow.inputs:
        await play(staff, step)
    assert not refused(staff.text), staff.text
    assert written(app.db.path) != before


def test_every_flow_names_what_it_asks_the_policy_at_commit() -> None:
    flows = build_router().flows
    assert flows and all(isinstance(getattr(flow, "action", None), Action) for flow in flows.values())
