"""Who may do what: the one place that decides it. Every handler asks here.

The table below is the whole policy. A scope (which units a representative reports for, which units a
council member follows) comes from the grants themselves; this table only says which roles may act.
"""

from __future__ import annotations

from enum import StrEnum

from bot.domain.roles import Grant, Role, represented_units, roles_of

__all__ = [
    "ALLOWED",
    "Action",
    "Grant",
    "Role",
    "allowed",
    "invite_action",
    "may_view_nomination",
    "represented_units",
    "roles_of",
]


class Action(StrEnum):
    START = "start"
    HELP = "help"
    LANGUAGE = "language"
    NOMINATE = "nominate"
    MY_NOMINATIONS = "my_nominations"
    REGISTER = "register"
    # Submit or amend a progress report for a unit one represents.
    REPORT = "report"
    # A nomination is recorded as made by the unit the person represents.
    NOMINATE_FOR_UNIT = "nominate_for_unit"
    # /tinhtrang at all, and each of the views it can show.
    STATUS = "status"
    STATUS_OWN_UNITS = "status_own_units"
    STATUS_IN_CHARGE = "status_in_charge"
    STATUS_PROVINCE = "status_province"
    # Invite codes, by the role they give.
    INVITE_UNIT_STAFF = "invite_unit_staff"  # representatives and council members
    INVITE_SECRETARIAT = "invite_secretariat"
    INVITE_ADMIN = "invite_admin"
    # The secretariat's desk.
    REVIEW = "review"  # decide on nominations, record consent, merge duplicates; the review queue
    # Open any nomination by its reference (a nominator always sees their own: see may_view_nomination).
    VIEW_NOMINATION = "view_nomination"
    SEE_CONTACTS = "see_contacts"  # a nominator's phone number
    DIGEST = "digest"
    ANNOUNCE = "announce"
    EXPORT = "export"
    EXPORT_CONTACTS = "export_contacts"  # an export that keeps nominators' phone numbers
    # A nominator answers the secretariat's question about their own nomination.
    ANSWER_QUESTION = "answer_question"
    # Where a split unit's open items go.
    MANAGE_UNITS = "manage_units"
    # Propose a commendation for an approved nomination, record the decision, make the annex and statistics.
    COMMEND = "commend"
    # Sign in to the desk in a browser (/web): only roles that have something to do there.
    WEB_DESK = "web_desk"
    # Read the audit log (on the desk).
    SEE_AUDIT = "see_audit"


C, R, K, S, A = Role.CITIZEN, Role.UNIT_REP, Role.COUNCIL, Role.SECRETARIAT, Role.ADMIN
_EVERYONE = frozenset(Role)

ALLOWED: dict[Action, frozenset[Role]] = {
    Action.START: _EVERYONE,
    Action.HELP: _EVERYONE,
    Action.LANGUAGE: _EVERYONE,
    Action.NOMINATE: _EVERYONE,
    Action.MY_NOMINATIONS: _EVERYONE,
    Action.REGISTER: _EVERYONE,
    Action.REPORT: frozenset({R}),
    Action.NOMINATE_FOR_UNIT: frozenset({R}),
    Action.STATUS: frozenset({R, K, S, A}),
    Action.STATUS_OWN_UNITS: frozenset({R}),
    Action.STATUS_IN_CHARGE: frozenset({K}),
    Action.STATUS_PROVINCE: frozenset({S, A}),
    Action.INVITE_UNIT_STAFF: frozenset({S, A}),
    Action.INVITE_SECRETARIAT: frozenset({S, A}),
    # Only an administrator makes another: the secretariat runs the campaign, not the system.
    Action.INVITE_ADMIN: frozenset({A}),
    Action.REVIEW: frozenset({S, A}),
    Action.VIEW_NOMINATION: frozenset({S, A}),
    Action.SEE_CONTACTS: frozenset({S, A}),
    Action.DIGEST: frozenset({S, A}),
    Action.ANNOUNCE: frozenset({S, A}),
    Action.EXPORT: frozenset({S, A}),
    Action.EXPORT_CONTACTS: frozenset({A}),
    Action.ANSWER_QUESTION: _EVERYONE,
    Action.MANAGE_UNITS: frozenset({S, A}),
    Action.COMMEND: frozenset({S, A}),
    Action.WEB_DESK: frozenset({S, A}),
    Action.SEE_AUDIT: frozenset({S, A}),
}


def allowed(roles: frozenset[Role], action: Action) -> bool:
    return bool(ALLOWED.get(action, frozenset()) & (roles | {Role.CITIZEN}))


def may_view_nomination(roles: frozenset[Role], own: bool) -> bool:
    """Whether a nomination opened by its reference is shown: its nominator's own, or any to the desk."""
    return own or allowed(roles, Action.VIEW_NOMINATION)


def invite_action(role: Role) -> Action:
    """What one must be allowed to do to hand out an invite for `role`."""
    if role is Role.ADMIN:
        return Action.INVITE_ADMIN
    if role is Role.SECRETARIAT:
        return Action.INVITE_SECRETARIAT
    return Action.INVITE_UNIT_STAFF
