"""`announce`: the secretariat's announcement from the command line, previewed unless --yes is given."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.app import App
from bot.cli.base import add_command
from bot.domain.announcement import TEXT_MAX, TEXT_MIN, Audience, parse_audience
from bot.domain.text import normalize_text, shorten
from bot.handlers.announce_send import send_announcement
from bot.storage.repos import reading, writing


def _text(args: argparse.Namespace) -> str:
    if args.text is not None:
        return normalize_text(args.text)
    if args.file == "-":
        return normalize_text(sys.stdin.read())
    with open(args.file, encoding="utf-8") as source:
        return normalize_text(source.read())


async def announce(app: App, args: argparse.Namespace) -> int:
    if args.history:
        async with reading(app.db) as repos:
            recent = await repos.announcements.recent(args.history)
        tz = app.services.campaign.campaign.tz
        for item in recent:
            when = item.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
            to = item.audience.value + (f":{item.target}" if item.target else "")
            print(f"{item.id:>5}  {when}  {to:<20} {item.recipients:>5} people  {shorten(item.text, 60)}")
        if not recent:
            print("no announcements yet")
        return 0
    if args.to is None or (args.text is None and args.file is None):
        print("error: say whom to tell (--to) and what (--text TEXT or --file PATH, - for standard input)")
        return 2
    try:
        audience, target = parse_audience(args.to)
        text = _text(args)
    except (ValueError, OSError) as exc:
        print(f"error: {exc}")
        return 2
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        print(f"error: the text has {len(text)} characters; it must have {TEXT_MIN} to {TEXT_MAX}")
        return 2
    campaign = app.services.campaign
    if audience is Audience.GROUP:
        target = (target or "").upper()
        if campaign.group(target) is None:
            known = ", ".join(g.code for g in campaign.groups)
            print(f"error: no cluster or block {target}; known: {known}")
            return 2
    now = app.services.clock.now()
    async with writing(app.db) as repos:
        if audience is Audience.UNIT:
            target = (target or "").upper()
            unit = await repos.units.get(target)
            if unit is None or not unit.active:
                print(f"error: no active unit with code {target}")
                return 2
        readers = await repos.announcements.recipients(audience, target)
        print(f"to {args.to}: {len(readers)} registered representative(s)")
        for reader in readers[:50]:
            print(f"  {reader.channel}:{reader.external_id}  {reader.display_name or ''}".rstrip())
        if len(readers) > 50:
            print(f"  ... and {len(readers) - 50} more")
        if not readers:
            print("nobody to tell: nothing sent")
            return 1
        if not args.yes:
            print("preview only: add --yes to send")
            return 0
        sent = await send_announcement(
            repos,
            app.services,
            author=None,
            channel="cli",
            audience=audience,
            target=target,
            text=text,
            now=now,
        )
    print(f"announcement {sent.id} queued for {sent.recipients} people; the running bot sends it")
    return 0


def register(subparsers: Any) -> None:
    parser = add_command(
        subparsers,
        "announce",
        announce,
        help="send an announcement to unit representatives (preview unless --yes)",
    )
    parser.add_argument("--to", help="all, group:CODE (a cluster or block) or unit:CODE")
    parser.add_argument("--text", help="the announcement")
    parser.add_argument("--file", help="read the announcement from a file (- for standard input)")
    parser.add_argument("--yes", action="store_true", help="send it (without this, only show who would get it)")
    parser.add_argument("--history", type=int, nargs="?", const=20, help="list the latest announcements instead")
