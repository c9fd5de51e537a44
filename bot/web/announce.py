"""Announcements from the desk: write, pick the audience, see how many it reaches, send. The sending is the
chat's own (bot.handlers.announce_send): one record, one outbox message per reader, one audit line."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.domain.announcement import TEXT_MAX, TEXT_MIN, Audience
from bot.domain.policy import Action
from bot.domain.text import normalize_text
from bot.handlers.announce_send import audience_name, send_announcement
from bot.storage.repos import reading, writing
from bot.web.context import Desk, Web, desk_page, web_of


async def _page(web: Web, desk: Desk, *, status: int = 200, **values: object) -> Response:
    async with reading(web.app.db) as repos:
        recent = await repos.announcements.recent(10)
    campaign = web.app.services.campaign
    return web.render(
        "announce.html",
        desk.lang,
        status,
        desk=desk,
        groups={g.code: g.name.get(desk.lang) for g in campaign.groups},
        recent=recent,
        text_min=TEXT_MIN,
        text_max=TEXT_MAX,
        describe=lambda a: audience_name(web.app.services.catalog, desk.lang, campaign, a.audience, a.target),
        **values,
    )


@desk_page(Action.ANNOUNCE)
async def announce_page(request: Request, desk: Desk) -> Response:
    return await _page(web_of(request), desk)


@desk_page(Action.ANNOUNCE)
async def announce(request: Request, desk: Desk) -> Response:
    """Preview (how many it reaches) unless `send` is pressed; both read the same form."""
    web = web_of(request)
    form = await request.form()
    text = normalize_text(str(form.get("text", "")))
    kind = str(form.get("audience", "all"))
    target = {"group": str(form.get("group", "")), "unit": str(form.get("unit", "")).strip().upper()}.get(kind)
    values = {"text": text[:TEXT_MAX], "audience": kind, "target": target or ""}
    if kind not in {a.value for a in Audience} or (kind != "all" and not target):
        return await _page(web, desk, status=400, error=web.t(desk.lang, "desk.announce.bad_audience"), form=values)
    if not TEXT_MIN <= len(text) <= TEXT_MAX:
        too = web.t(desk.lang, "desk.announce.bad_length", min=TEXT_MIN, max=TEXT_MAX, length=len(text))
        return await _page(web, desk, status=400, error=too, form=values)
    audience = Audience(kind)
    # The page is drawn after the transaction: it reads the database itself.
    error: str | None
    readers: int | None
    sent: int | None
    async with writing(web.app.db) as repos:
        if audience is Audience.UNIT and await repos.units.get(target or "") is None:
            error = web.t(desk.lang, "desk.announce.no_unit")
            readers, sent = None, None
        elif form.get("send") != "1":
            error, sent = None, None
            readers = len(await repos.announcements.recipients(audience, target))
        else:
            error, readers = None, None
            announcement = await send_announcement(
                repos,
                web.app.services,
                author=desk.user,
                channel="web",
                audience=audience,
                target=target,
                text=text,
                now=web.now(),
            )
            sent = announcement.recipients
    if error is not None:
        return await _page(web, desk, status=400, error=error, form=values)
    if readers is not None:
        return await _page(web, desk, preview=readers, form=values)
    return await _page(web, desk, sent=sent)
