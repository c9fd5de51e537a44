"""Every action against every role: the policy's table, and the same decisions seen in the conversations,
where an allowed action does its work and a refused one gets a polite message, never silence."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable

import pytest

from bot.app import App
from bot.conversation.messages import Kind
from bot.domain.policy import ALLOWED, Action, allowed, invite_action
from bot.domain.roles import Grant, Role, roles_of
from tests.support.chat import Person
from tests.support.conversations import answer_up_to_summary
from tests.support.desk import LINK, browser, sign_in
from tests.support.refusals import CATALOG, refused
from tests.support.roles import registered

GRANTS = {
    Role.CITIZEN: None,
    Role.UNIT_REP: Grant(role=Role.UNIT_REP, unit_code="H-THAPMUOI"),
    Role.COUNCIL: Grant(role=Role.COUNCIL, group_code="CUM1"),
    Role.SECRETARIAT: Grant(role=Role.SECRETARIAT),
    Role.ADMIN: Grant(role=Role.ADMIN),
}

C, R, K, S, A = Role.CITIZEN, Role.UNIT_REP, Role.COUNCIL, Role.SECRETARIAT, Role.ADMIN
EVERYONE = {C, R, K, S, A}
# Written out by hand: the policy must agree with this table, action by action.
EXPECTED: dict[Action, set[Role]] = {
    Action.START: EVERYONE,
    Action.HELP: EVERYONE,
    Action.LANGUAGE: EVERYONE,
    Action.NOMINATE: EVERYONE,
    Action.MY_NOMINATIONS: EVERYONE,
    Action.REGISTER: EVERYONE,
    Action.REPORT: {R},
    Action.NOMINATE_FOR_UNIT: {R},
    Action.STATUS: {R, K, S, A},
    Action.STATUS_OWN_UNITS: {R},
    Action.STATUS_IN_CHARGE: {K},
    Action.STATUS_PROVINCE: {S, A},
    Action.INVITE_UNIT_STAFF: {S, A},
    Action.INVITE_SECRETARIAT: {S, A},
    Action.INVITE_ADMIN: {A},
    Action.REVIEW: {S, A},
    Action.VIEW_NOMINATION: {S, A},
    Action.SEE_CONTACTS: {S, A},
    Action.DIGEST: {S, A},
    Action.ANNOUNCE: {S, A},
    Action.EXPORT: {S, A},
    Action.EXPORT_CONTACTS: {A},
    Action.ANSWER_QUESTION: EVERYONE,
    Action.MANAGE_UNITS: {S, A},
    Action.COMMEND: {S, A},
    Action.WEB_DESK: {S, A},
    Action.SEE_AUDIT: {S, A},
}


def title(key: str) -> str:
    return CATALOG.raw("vi", key).split("{", 1)[0]


async def command(person: Person, text: str) -> bool:
    """Whether the person was let through; every command is answered either way."""
    await person.say(text)
    assert person.last and person.text.strip(), f"{text} got no answer"
    return not refused(person.text)


async def nomination_is_the_units(person: Person) -> bool:
    await answer_up_to_summary(person)
    await person.tap("Gửi")
    assert "NTVT-2026-" in person.text
    with sqlite3.connect(person.app.db.path) as conn:
        row = conn.execute("SELECT on_behalf_of_unit FROM nominations ORDER BY id DESC LIMIT 1").fetchone()
    return bool(row[0])


async def sees(person: Person, key: str) -> bool:
    await person.say("/tinhtrang")
    return title(key) in person.text


Check = Callable[[Person], Awaitable[bool]]


def says(text: str) -> Check:
    async def check(person: Person) -> bool:
        return await command(person, text)

    return check


def shows(key: str) -> Check:
    async def check(person: Person) -> bool:
        return await sees(person, key)

    return check


async def nominated_by_a_citizen(person: Person) -> int:
    """A named citizen's nomination with a phone number, for the desk's buttons; its id."""
    citizen = Person(person.app, f"9{person.user_id}")
    await answer_up_to_summary(citizen)
    await citizen.tap("Gửi")
    with sqlite3.connect(person.app.db.path) as conn:
        row = conn.execute("SELECT id FROM nominations ORDER BY id DESC LIMIT 1").fetchone()
    return int(row[0])


async def presses_approve(person: Person) -> bool:
    await person.send_kind(Kind.CHOICE, choice=f"rv:approve:{await nominated_by_a_citizen(person)}:open")
    assert person.last and person.text.strip(), "an approve button got no answer"
    return not refused(person.text)


async def sees_the_phone(person: Person) -> bool:
    await person.send_kind(Kind.CHOICE, choice=f"rv:view:{await nominated_by_a_citizen(person)}")
    assert person.last and person.text.strip(), "a view button got no answer"
    return "+84912345678" in person.text


async def opens_anothers_nomination(person: Person) -> bool:
    nomination_id = await nominated_by_a_citizen(person)
    await person.say(f"/xem NTVT-2026-{nomination_id:06d}")
    assert person.last and person.text.strip(), "/xem got no answer"
    return "📄 Đề cử NTVT-2026-" in person.text


def opens_on_the_desk(path: str) -> Check:
    """A page only the desk has: whoever gets a sign-in link from /web signs in and opens it."""

    async def check(person: Person) -> bool:
        await person.say("/web")
        link = LINK.search(person.text)
        if link is None:
            return False
        async with browser(person.app) as client:
            await sign_in(client, link.group(0))
            return (await client.get(path)).status_code == 200

    return check


# How a person exercises each action in a conversation, and whether they were let do it.
TRIGGERS: dict[Action, Check] = {
    Action.START: says("/start"),
    Action.HELP: says("/trogiup"),
    Action.LANGUAGE: says("/ngonngu"),
    Action.NOMINATE: says("/decu"),
    Action.MY_NOMINATIONS: says("/cuatoi"),
    Action.REGISTER: says("/dangky"),
    Action.REPORT: says("/baocao"),
    Action.NOMINATE_FOR_UNIT: nomination_is_the_units,
    Action.STATUS: says("/tinhtrang"),
    Action.STATUS_OWN_UNITS: shows("status.rep_title"),
    Action.STATUS_IN_CHARGE: shows("status.council_title"),
    Action.STATUS_PROVINCE: shows("status.province_title"),
    Action.INVITE_UNIT_STAFF: says("/moi H-LAPVO"),
    Action.INVITE_SECRETARIAT: says("/moi thuongtruc"),
    Action.INVITE_ADMIN: says("/moi quantri"),
    Action.DIGEST: says("/tonghop"),
    Action.ANNOUNCE: says("/thongbao"),
    Action.EXPORT: says("/xuat"),
    # A workbook with the nominators' phone numbers: "lienhe" asks for it.
    Action.EXPORT_CONTACTS: says("/xuat CN xlsx lienhe"),
    Action.ANSWER_QUESTION: says("/traloi"),
    Action.MANAGE_UNITS: says("/tachdonvi"),
    Action.COMMEND: says("/khenthuong"),
    Action.WEB_DESK: says("/web"),
    Action.SEE_AUDIT: opens_on_the_desk("/audit"),
    Action.REVIEW: presses_approve,
    Action.SEE_CONTACTS: sees_the_phone,
    Action.VIEW_NOMINATION: opens_anothers_nomination,
}


def test_the_policy_table_matches_the_expected_one() -> None:
    assert set(ALLOWED) == set(Action) == set(EXPECTED) == set(TRIGGERS)
    wrong = [
        (action.value, role.value)
        for action in Action
        for role, grant in GRANTS.items()
        if allowed(roles_of([grant] if grant else []), action) is not (role in EXPECTED[action])
    ]
    assert wrong == []


def test_status_views_cover_exactly_who_may_ask_for_status() -> None:
    views = ALLOWED[Action.STATUS_OWN_UNITS] | ALLOWED[Action.STATUS_IN_CHARGE] | ALLOWED[Action.STATUS_PROVINCE]
    assert views == ALLOWED[Action.STATUS]


def test_invites_need_the_right_for_the_role_they_give() -> None:
    assert [invite_action(r) for r in (R, K, S, A)] == [
        Action.INVITE_UNIT_STAFF,
        Action.INVITE_UNIT_STAFF,
        Action.INVITE_SECRETARIAT,
        Action.INVITE_ADMIN,
    ]


@pytest.mark.parametrize("role", list(GRANTS), ids=[r.value for r in GRANTS])
async def test_every_action_in_conversation(app: App, role: Role) -> None:
    grant = GRANTS[role]
    outcomes = {}
    for number, (action, check) in enumerate(TRIGGERS.items()):
        # A person per action, so that one action's conversation does not colour the next.
        user = str(7000 + number)
        person = Person(app, user) if grant is None else await registered(app, user, grant)
        outcomes[action] = await check(person)
    wrong = {a.value: outcome for a, outcome in outcomes.items() if outcome is not (role in EXPECTED[a])}
    assert wrong == {}
