"""Who may do what: the one place that decides it. Every handler asks here."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class Role(StrEnum):
    CITIZEN = "citizen"
    UNIT_REP = "unit_rep"
    COUNCIL = "council"
    SECRETARIAT = "secretariat"
    ADMIN = "admin"


class Action(StrEnum):
    START = "start"
    HELP = "help"
    LANGUAGE = "language"
    NOMINATE = "nominate"
    MY_NOMINATIONS = "my_nominations"
    REGISTER = "register"
    REPORT = "report"
    STATUS = "status"
    CREATE_INVITE = "create_invite"


class Grant(BaseModel):
    """A role someone holds, for a unit or a cluster/block where the role has a scope."""

    role: Role
    unit_code: str | None = None
    group_code: str | None = None


_EVERYONE = frozenset(Role)
_STAFF = frozenset({Role.UNIT_REP, Role.COUNCIL, Role.SECRETARIAT, Role.ADMIN})

ALLOWED: dict[Action, frozenset[Role]] = {
    Action.START: _EVERYONE,
    Action.HELP: _EVERYONE,
    Action.LANGUAGE: _EVERYONE,
    Action.NOMINATE: _EVERYONE,
    Action.MY_NOMINATIONS: _EVERYONE,
    Action.REGISTER: _EVERYONE,
    Action.REPORT: frozenset({Role.UNIT_REP}),
    Action.STATUS: _STAFF,
    Action.CREATE_INVITE: frozenset({Role.SECRETARIAT, Role.ADMIN}),
}


def roles_of(grants: list[Grant]) -> frozenset[Role]:
    """Everyone is a citizen; grants add to that."""
    return frozenset({Role.CITIZEN, *(g.role for g in grants)})


def allowed(roles: frozenset[Role], action: Action) -> bool:
    return bool(ALLOWED.get(action, frozenset()) & (roles | {Role.CITIZEN}))


def represented_units(grants: list[Grant]) -> list[str]:
    return sorted({g.unit_code for g in grants if g.role is Role.UNIT_REP and g.unit_code})
