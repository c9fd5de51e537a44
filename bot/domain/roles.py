"""The roles people hold, and for which units or clusters/blocks they hold them."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Role(StrEnum):
    CITIZEN = "citizen"
    UNIT_REP = "unit_rep"
    COUNCIL = "council"
    SECRETARIAT = "secretariat"
    ADMIN = "admin"


# Roles whose grant names a unit (a representative) or a unit or cluster/block (a council member).
SCOPED = frozenset({Role.UNIT_REP, Role.COUNCIL})


class Grant(BaseModel):
    """A role someone holds, for a unit or a cluster/block where the role has a scope."""

    model_config = ConfigDict(frozen=True)

    role: Role
    unit_code: str | None = None
    group_code: str | None = None


def roles_of(grants: Iterable[Grant]) -> frozenset[Role]:
    """Everyone is a citizen; grants add to that."""
    return frozenset({Role.CITIZEN, *(g.role for g in grants)})


def represented_units(grants: Iterable[Grant]) -> list[str]:
    return sorted({g.unit_code for g in grants if g.role is Role.UNIT_REP and g.unit_code})


def in_charge(grants: Iterable[Grant], unit_code: str, group_code: str | None) -> bool:
    """Whether a council member's grants cover the unit, directly or through its cluster/block."""
    return any(
        g.role is Role.COUNCIL
        and ((g.unit_code is not None and g.unit_code == unit_code) or (g.group_code and g.group_code == group_code))
        for g in grants
    )
