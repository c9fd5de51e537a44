"""Who may do what: the one place that decides it. Every handler asks here."""

from __future__ import annotations

from enum import StrEnum


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


_EVERYONE = frozenset(Role)

_ALLOWED: dict[Action, frozenset[Role]] = {
    Action.START: _EVERYONE,
    Action.HELP: _EVERYONE,
    Action.LANGUAGE: _EVERYONE,
    Action.NOMINATE: _EVERYONE,
    Action.MY_NOMINATIONS: _EVERYONE,
}


def allowed(roles: frozenset[Role], action: Action) -> bool:
    permitted = _ALLOWED.get(action, frozenset())
    return bool(permitted & (roles | {Role.CITIZEN}))
