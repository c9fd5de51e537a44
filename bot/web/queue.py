"""The review queue, where signing in lands: filters, search without diacritics, pages of fifty."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from bot.domain.nomination import NominationStatus
from bot.domain.policy import Action
from bot.storage.repos import reading
from bot.storage.web_desk import QueueFilter
from bot.web.context import Desk, Web, desk_page, web_of

STATUS_CHOICES = ("open", "all", *(s.value for s in NominationStatus))
QUERY_MAX = 100


def day(web: Web, text: str, after: int = 0) -> dt.datetime | None:
    """A date from the form (YYYY-MM-DD), as the start of that day (or of a later one) in the campaign's zone."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return None
    tz = web.app.services.campaign.campaign.tz
    return dt.datetime.combine(day + dt.timedelta(days=after), dt.time(), tzinfo=tz).astimezone(dt.UTC)


def read_filter(web: Web, request: Request) -> QueueFilter:
    """Whatever was typed into the address bar, a filter that makes sense: unknown values mean "any"."""
    q = request.query_params
    status = q.get("status", "open")
    try:
        page = max(1, min(int(q.get("page", "1")), 100_000))
    except ValueError:
        page = 1
    return QueueFilter(
        status=status if status in STATUS_CHOICES else "open",
        group=q.get("group", "")[:40],
        unit=q.get("unit", "")[:40],
        category=q.get("category", "")[:40],
        since=day(web, q.get("since", "")),
        until=day(web, q.get("until", ""), after=1),
        evidence=q.get("evidence") == "1",
        duplicate=q.get("duplicate") == "1",
        query=q.get("q", "")[:QUERY_MAX],
        newest_first=q.get("sort") == "newest",
        page=page,
    )


def page_link(request: Request, page: int) -> str:
    params = {k: v for k, v in request.query_params.items() if k != "page" and v}
    params["page"] = str(page)
    return "/queue?" + urlencode(params)


@desk_page(Action.REVIEW)
async def queue_page(request: Request, desk: Desk) -> Response:
    web = web_of(request)
    wanted = read_filter(web, request)
    async with reading(web.app.db) as repos:
        rows, more = await repos.web_desk.queue(wanted)
        names = await repos.web_desk.unit_names({r.unit_code for r in rows})
        groups = await repos.web_desk.groups_in_use()
        counts = await repos.review.pending_counts()
    campaign = web.app.services.campaign
    group_names = {}
    for code in groups:
        group = campaign.group(code)
        group_names[code] = group.name.get(desk.lang) if group else code
    values: dict[str, Any] = {
        "desk": desk,
        "rows": rows,
        "names": names,
        "more": more,
        "wanted": wanted,
        "args": request.query_params,
        "groups": group_names,
        "categories": {c.code: c.name.get(desk.lang) for c in campaign.categories},
        "counts": counts,
        "statuses": STATUS_CHOICES,
        "previous": page_link(request, wanted.page - 1) if wanted.page > 1 else None,
        "next": page_link(request, wanted.page + 1) if more else None,
        "now": web.now(),
    }
    if "hx-request" in request.headers and request.headers.get("hx-target") == "results":
        return web.render("queue_results.html", desk.lang, **values)
    return web.render("queue.html", desk.lang, **values)
