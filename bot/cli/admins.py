"""`admin add|remove|roles|revoke|audit`: administrators, who holds which role, and the audit log.

The first administrator of a fresh installation comes from here or from ADMIN_TELEGRAM_IDS /
ADMIN_ZALO_IDS; everyone else registers with an invite code.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any

from bot.app import App
from bot.channels.registry import CHANNELS
from bot.cli.base import add_command
from bot.domain.roles import Grant, Role
from bot.domain.users import User
from bot.i18n import DEFAULT_LANGUAGE
from bot.storage.audit import AuditRepo
from bot.storage.roles import RoleRepo
from bot.storage.users import UserRepo

ROLES = {"rep": Role.UNIT_REP, "council": Role.COUNCIL, "secretariat": Role.SECRETARIAT, "admin": Role.ADMIN}
OPERATOR = "cli"


async def _person(app: App, channel: str, user: str, now: dt.datetime, create: bool) -> User | None:
    async with app.db.transaction() as conn:
        users = UserRepo(conn)
        found = await users.get(channel, user)
        if found is None and create:
            # In a private chat the chat id is the user's id on Telegram and Zalo alike; the first message
            # the person sends corrects it if not.
            found = await users.get_or_create(channel, user, user, None, DEFAULT_LANGUAGE, now)
        return found


def _channel(app: App, args: argparse.Namespace) -> str:
    """The messenger named, or the one this installation runs: the terminal when no token is set."""
    if args.channel is None:
        settings = app.settings
        args.channel = (
            "telegram"
            if settings.telegram_bot_token is not None
            else "zalo"
            if settings.zalo_bot_token is not None
            else "console"
        )
    return str(args.channel)


def _where(channel: str, user: str) -> str:
    return f"terminal chat user {user}" if channel == "console" else f"{channel} user {user}"


async def add_admin(app: App, args: argparse.Namespace) -> int:
    _channel(app, args)
    now = app.services.clock.now()
    person = await _person(app, args.channel, args.user, now, create=True)
    assert person is not None
    async with app.db.transaction() as conn:
        added = await RoleRepo(conn).grant(person.id, Grant(role=Role.ADMIN), now, channel=OPERATOR)
    print(f"{_where(args.channel, args.user)} is {'now' if added else 'already'} an administrator")
    if args.channel == "console":
        print(f"  open their chat with: python -m bot chat --user {args.user}  (or: make run USER={args.user})")
    return 0


async def remove_admin(app: App, args: argparse.Namespace) -> int:
    args.role, args.unit, args.group = "admin", None, None
    return await revoke(app, args)


async def revoke(app: App, args: argparse.Namespace) -> int:
    _channel(app, args)
    now = app.services.clock.now()
    role = ROLES[args.role]
    grant = Grant(
        role=role,
        unit_code=args.unit.upper() if args.unit else None,
        group_code=args.group.upper() if args.group else None,
    )
    person = await _person(app, args.channel, args.user, now, create=False)
    done = False
    if person is not None:
        async with app.db.transaction() as conn:
            done = await RoleRepo(conn).revoke(person.id, grant, now, channel=OPERATOR)
    scope = grant.unit_code or grant.group_code
    what = f"{role.value}{' of ' + scope if scope else ''}"
    if not done:
        print(f"{args.channel} user {args.user} does not hold the role {what}")
        return 1
    print(f"{args.channel} user {args.user} no longer holds the role {what}")
    if (args.channel, args.user) in app.settings.admins and role is Role.ADMIN:
        print("note: this user is still an administrator through the ADMIN_*_IDS settings")
    return 0


async def list_roles(app: App, args: argparse.Namespace) -> int:
    async with app.db.reading() as conn:
        held = await RoleRepo(conn).held()
    tz = app.services.campaign.campaign.tz
    for item in held:
        scope = item.grant.unit_code or item.grant.group_code or "-"
        since = item.granted_at.astimezone(tz).strftime("%Y-%m-%d")
        who = f"{item.user.channel:<9} {item.user.external_id:<14}"
        print(f"{who} {item.grant.role.value:<12} {scope:<14} {since}  {item.user.display_name or ''}")
    for channel, user in sorted(app.settings.admins):
        print(f"{channel:<9} {user:<14} {'admin':<12} {'-':<14} (from the settings)")
    if not held and not app.settings.admins:
        print("nobody holds a role yet: everyone is a citizen")
    return 0


async def show_audit(app: App, args: argparse.Namespace) -> int:
    async with app.db.reading() as conn:
        entries = await AuditRepo(conn).recent(args.limit, args.action or "")
    tz = app.services.campaign.campaign.tz
    for entry in reversed(entries):
        detail = json.dumps({k: v for k, v in entry.detail.items() if v is not None}, ensure_ascii=False)
        actor = f"user:{entry.actor_user_id}" if entry.actor_user_id is not None else "-"
        at = entry.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        print(f"{at}  {entry.channel or '-':<8} {actor:<10} {entry.action:<22} {entry.subject or '-'}  {detail}")
    if not entries and args.action:
        print(f"no audit log entry with an action starting with {args.action!r} (e.g. report., role., nomination.)")
    elif not entries:
        print("the audit log is empty")
    return 0


def register(subparsers: Any) -> None:
    admin = subparsers.add_parser("admin", help="administrators, who holds which role, and the audit log")
    commands = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)

    def who(parser: argparse.ArgumentParser) -> None:
        parser.add_argument(
            "--channel",
            choices=list(CHANNELS.channels),
            default=None,
            help="the messenger: console is the terminal chat (default: telegram if its token is set, else zalo if"
            " its token is set, else console)",
        )
        parser.add_argument(
            "--user", required=True, help="the user's id on that messenger (in the terminal: the chat's --user)"
        )

    who(add_command(commands, "add", add_admin, help="make a messenger user an administrator"))
    who(add_command(commands, "remove", remove_admin, help="take the administrator role away from a user"))
    add_command(commands, "roles", list_roles, help="list everyone who holds a role now")
    parser = add_command(commands, "revoke", revoke, help="take a role away (a representative of a unit, ...)")
    who(parser)
    parser.add_argument("--role", choices=sorted(ROLES), required=True)
    parser.add_argument("--unit", help="the unit code of a representative's or council member's role")
    parser.add_argument("--group", help="the cluster/block code of a council member's role")
    parser = add_command(commands, "audit", show_audit, help="show the latest lines of the audit log")
    parser.add_argument("--limit", type=int, default=50, help="how many lines (default: 50)")
    parser.add_argument("--action", help="only actions starting with this, e.g. report. or role.")
