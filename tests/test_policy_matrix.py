"""Every command against every role: allowed ones do their work, refused ones get a polite message."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.domain.policy import ALLOWED, Action, Grant, Role
from bot.i18n import default_catalog
from tests.chat import Person
from tests.roles import registered

GRANTS = {
    Role.CITIZEN: None,
    Role.UNIT_REP: Grant(role=Role.UNIT_REP, unit_code="H-THAPMUOI"),
    Role.COUNCIL: Grant(role=Role.COUNCIL, group_code="CUM1"),
    Role.SECRETARIAT: Grant(role=Role.SECRETARIAT),
    Role.ADMIN: Grant(role=Role.ADMIN),
}

C, R, K, S, A = Role.CITIZEN, Role.UNIT_REP, Role.COUNCIL, Role.SECRETARIAT, Role.ADMIN
# command typed -> roles that may use it. Written out by hand: the policy must agree with this table.
MATRIX: dict[str, set[Role]] = {
    "/start": {C, R, K, S, A},
    "/trogiup": {C, R, K, S, A},
    "/ngonngu": {C, R, K, S, A},
    "/decu": {C, R, K, S, A},
    "/cuatoi": {C, R, K, S, A},
    "/dangky": {C, R, K, S, A},
    "/baocao": {R},
    "/tinhtrang": {R, K, S, A},
    "/moi H-LAPVO": {S, A},
}

REFUSALS = [
    default_catalog().raw("vi", key)
    for key in (
        "errors.not_allowed",
        "errors.not_allowed_report",
        "errors.not_allowed_status",
        "errors.not_allowed_create_invite",
    )
]


async def person_with(app: App, role: Role) -> Person:
    grant = GRANTS[role]
    return Person(app, "77") if grant is None else await registered(app, "77", grant)


@pytest.mark.parametrize("role", list(GRANTS))
@pytest.mark.parametrize("command", list(MATRIX))
async def test_command_against_role(app: App, role: Role, command: str) -> None:
    person = await person_with(app, role)
    await person.say(command)
    refused = any(refusal in person.text for refusal in REFUSALS)
    assert person.last, "every command gets an answer"
    assert refused is (role not in MATRIX[command]), person.text


def test_the_policy_table_covers_every_action() -> None:
    assert set(ALLOWED) == set(Action)
    assert all(Role.CITIZEN in ALLOWED[a] or Role.ADMIN in ALLOWED[a] or a is Action.REPORT for a in Action)
