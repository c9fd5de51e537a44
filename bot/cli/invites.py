"""`invite create|list|revoke`: invite codes made by an operator."""

from __future__ import annotations

import argparse
from typing import Any

from bot.app import App
from bot.cli.base import add_command
from bot.domain.audit import AuditAction
from bot.domain.invites import parse_duration
from bot.domain.policy import Grant, Role
from bot.storage.audit import audit
from bot.storage.invites import InviteRepo
from bot.storage.units import UnitRepo

ROLES = {"rep": Role.UNIT_REP, "council": Role.COUNCIL, "secretariat": Role.SECRETARIAT, "admin": Role.ADMIN}


async def create(app: App, args: argparse.Namespace) -> int:
    role = ROLES[args.role]
    campaign = app.services.campaign
    try:
        valid_for = parse_duration(args.expires)
    except ValueError as exc:
        print(f"error: --expires: {exc}")
        return 2
    if args.uses < 1:
        print("error: --uses must be at least 1")
        return 2
    now = app.services.clock.now()
    async with app.db.transaction() as conn:
        if args.unit:
            unit = await UnitRepo(conn).get(args.unit.upper())
            if unit is None or not unit.active:
                print(f"error: no active unit with code {args.unit}")
                return 2
        if args.group and campaign.group(args.group.upper()) is None:
            print(f"error: no cluster or block with code {args.group}")
            return 2
        if role is Role.UNIT_REP and not args.unit:
            print("error: a representative's invite needs --unit CODE")
            return 2
        if role is Role.COUNCIL and not (args.unit or args.group):
            print("error: a council member's invite needs --unit CODE or --group CODE")
            return 2
        scoped = role in (Role.UNIT_REP, Role.COUNCIL)
        grant = Grant(
            role=role,
            unit_code=args.unit.upper() if scoped and args.unit else None,
            group_code=args.group.upper() if role is Role.COUNCIL and args.group and not args.unit else None,
        )
        code, invite = await InviteRepo(conn).create(grant, args.uses, now + valid_for, None, now)
        await audit(
            conn,
            now,
            AuditAction.INVITE_CREATED,
            actor=None,
            channel="cli",
            subject=f"invite:{invite.id}",
            role=role.value,
            unit=grant.unit_code,
            group=grant.group_code,
            uses=args.uses,
        )
    expires = invite.expires_at.astimezone(campaign.campaign.tz).strftime("%Y-%m-%d %H:%M")
    print(code)
    print(
        f"invite {invite.id}: {role.value} {grant.unit_code or grant.group_code or ''}".rstrip()
        + f", {args.uses} use(s), expires {expires} ({campaign.campaign.timezone})"
    )
    print(f"the person sends: /dangky {code}")
    return 0


async def list_invites(app: App, args: argparse.Namespace) -> int:
    now = app.services.clock.now()
    async with app.db.reading() as conn:
        invites = await InviteRepo(conn).listed()
    for invite in invites:
        state = (
            "revoked"
            if invite.revoked
            else "expired"
            if invite.expires_at <= now
            else ("used up" if invite.uses_left == 0 else f"{invite.uses_left} use(s) left")
        )
        scope = invite.grant.unit_code or invite.grant.group_code or "-"
        print(f"{invite.id:>5}  {invite.hint:<6} {invite.grant.role.value:<12} {scope:<14} {state}")
    if not invites:
        print("no invites")
    return 0


async def revoke(app: App, args: argparse.Namespace) -> int:
    now = app.services.clock.now()
    async with app.db.transaction() as conn:
        done = await InviteRepo(conn).revoke(args.id, now)
        if done:
            await audit(conn, now, AuditAction.INVITE_REVOKED, actor=None, channel="cli", subject=f"invite:{args.id}")
    print(f"invite {args.id} revoked" if done else f"no usable invite {args.id}")
    return 0 if done else 1


def register(subparsers: Any) -> None:
    invite = subparsers.add_parser("invite", help="create, list or revoke invite codes")
    commands = invite.add_subparsers(dest="invite_command", metavar="ACTION", required=True)
    parser = add_command(commands, "create", create, help="create an invite code and print it (shown only once)")
    parser.add_argument("--role", choices=sorted(ROLES), default="rep", help="the role it gives (default: rep)")
    parser.add_argument("--unit", help="the unit code (for rep, or council in charge of one unit)")
    parser.add_argument("--group", help="the cluster/block code (for council)")
    parser.add_argument("--uses", type=int, default=1, help="how many people may use it (default: 1)")
    parser.add_argument("--expires", default="14d", help="validity, like 14d, 12h or 30m (default: 14d)")
    add_command(commands, "list", list_invites, help="list invites (codes are never shown again)")
    parser = add_command(commands, "revoke", revoke, help="revoke an invite by its number")
    parser.add_argument("id", type=int)
