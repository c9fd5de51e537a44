"""Files: the workbook, the "Hương Sen" bulletin and the compilation, made as /xuat makes them
(bot.exports.making) and downloaded from the desk. Phone numbers only for those the policy allows."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from bot.conversation.numbers import whole_number
from bot.domain.export_rows import ExportKind, ExportScope
from bot.domain.policy import Action
from bot.exports.making import AUDIT_EXPORT, ExportRequest, make_exports
from bot.storage.files import remove_older_than
from bot.storage.repos import writing
from bot.web.context import Desk, Web, desk_page, web_of

RECENT_DAYS = (7, 30)
# Made for downloading now; what is left (phone numbers, perhaps) goes after this, as for the chat's files.
KEPT_SECONDS = 2 * 24 * 3600
SAFE_NAME = re.compile(r"^[A-Za-z0-9._-]{1,200}$")
CONTACTS_MARK = "-lienhe-"


def folder_of(web: Web, desk: Desk) -> Path:
    """Each person's files apart: a download serves only what that person made."""
    return web.app.services.files.root / "exports" / f"web-{desk.user.id}"


def scopes(web: Web, desk: Desk) -> list[tuple[str, str]]:
    campaign = web.app.services.campaign
    found = [(f"period:{p.code}", p.name.get(desk.lang)) for p in campaign.reporting_periods]
    found += [(f"days:{d}", web.t(desk.lang, "export.scope.last_days", days=d)) for d in RECENT_DAYS]
    return found


def scope_of(web: Web, value: str) -> ExportScope | None:
    kind, _, rest = value.partition(":")
    campaign = web.app.services.campaign
    if kind == "period":
        period = campaign.period(rest)
        return ExportScope.of_period(period) if period else None
    days = whole_number(rest, max_digits=4) if kind == "days" else None
    if days is not None and days in RECENT_DAYS:
        today = web.now().astimezone(campaign.campaign.tz).date()
        return ExportScope.last_days(days, today)
    return None


def _page(web: Web, desk: Desk, status: int = 200, **values: object) -> Response:
    return web.render(
        "files.html",
        desk.lang,
        status,
        desk=desk,
        scopes=scopes(web, desk),
        kinds=[k.value for k in ExportKind],
        contacts=desk.may(Action.EXPORT_CONTACTS),
        **values,
    )


@desk_page(Action.EXPORT)
async def files_page(request: Request, desk: Desk) -> Response:
    return _page(web_of(request), desk)


@desk_page(Action.EXPORT)
async def make(request: Request, desk: Desk) -> Response:
    web = web_of(request)
    form = await request.form()
    scope = scope_of(web, str(form.get("scope", "")))
    kind = str(form.get("kind", ""))
    with_contacts = form.get("contacts") == "1"
    if scope is None or kind not in {k.value for k in ExportKind}:
        return _page(web, desk, 400, error=web.t(desk.lang, "desk.files.bad"))
    if with_contacts and not desk.may(Action.EXPORT_CONTACTS):
        return web.message(desk.lang, "desk.refused", 403, desk)
    request_ = ExportRequest(scope=scope, kinds=[ExportKind(kind)], with_contacts=with_contacts, lang=desk.lang)
    now = web.now()
    async with writing(web.app.db) as repos:
        # Who took which data out is recorded before the file is made, as in the chat.
        await repos.audit.add(
            now,
            AUDIT_EXPORT,
            actor=desk.user.id,
            channel="web",
            subject=scope.slug(),
            kinds=[kind],
            with_contacts=with_contacts,
        )
        database = await repos.database_file()
    if database is None:
        return web.message(desk.lang, "desk.bad_request", 500, desk)
    folder = folder_of(web, desk)
    remove_older_than(folder, KEPT_SECONDS)
    # Outside the write lock: a province-sized workbook takes a while; it reads a snapshot of its own.
    made = await make_exports(
        database, web.app.services.campaign, web.app.services.catalog, request_, now, folder=folder
    )
    return _page(web, desk, made=made)


@desk_page(Action.EXPORT)
async def download(request: Request, desk: Desk) -> Response:
    web = web_of(request)
    name = request.path_params["name"]
    path = folder_of(web, desk) / name
    if not SAFE_NAME.match(name) or not path.is_file():
        return web.message(desk.lang, "desk.file.missing", 404, desk)
    if CONTACTS_MARK in name and not desk.may(Action.EXPORT_CONTACTS):
        # Made while the person was an administrator; no longer.
        return web.message(desk.lang, "desk.refused", 403, desk)
    return FileResponse(
        path,
        media_type="application/octet-stream",
        filename=name,
        content_disposition_type="attachment",
        headers={"Cache-Control": "private, no-store"},
    )
