"""The reporting grid: units (down) by reporting periods (across), each cell on time / late / missing /
amended, a click to every version of the report."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from bot.domain.policy import Action
from bot.domain.report_grid import cell
from bot.domain.reports import Submission
from bot.storage.repos import reading
from bot.web.context import Desk, desk_page, web_of

UNITS_PER_PAGE = 100


@desk_page(Action.STATUS_PROVINCE)
async def grid_page(request: Request, desk: Desk) -> Response:
    web = web_of(request)
    campaign = web.app.services.campaign
    group = request.query_params.get("group", "")[:40]
    try:
        page = max(1, int(request.query_params.get("page", "1")))
    except ValueError:
        page = 1
    periods = list(campaign.reporting_periods)
    async with reading(web.app.db) as repos:
        units = [u for u in await repos.units.active_refs() if not group or u.group == group]
        shown = units[(page - 1) * UNITS_PER_PAGE : page * UNITS_PER_PAGE]
        sent = await repos.reports.submissions([p.code for p in periods], [u.code for u in shown])
    versions: dict[tuple[str, str], list[Submission]] = defaultdict(list)
    for s in sent:
        versions[(s.unit_code, s.period_code)].append(s)
    today = web.now().astimezone(campaign.campaign.tz).date()
    rows = [
        (
            unit,
            [
                (
                    period,
                    cell(period, period.owes(unit), versions[(unit.code, period.code)], today),
                    len(versions[(unit.code, period.code)]),
                )
                for period in periods
            ],
        )
        for unit in shown
    ]
    groups = {g.code: g.name.get(desk.lang) for g in campaign.groups}

    def link(to: int) -> str:
        return "/grid?" + urlencode({k: v for k, v in (("group", group), ("page", str(to))) if v})

    return web.render(
        "grid.html",
        desk.lang,
        desk=desk,
        periods=periods,
        rows=rows,
        groups=groups,
        group=group,
        page=page,
        previous=link(page - 1) if page > 1 else None,
        next=link(page + 1) if page * UNITS_PER_PAGE < len(units) else None,
        total=len(units),
    )


@desk_page(Action.STATUS_PROVINCE)
async def versions_page(request: Request, desk: Desk) -> Response:
    web = web_of(request)
    campaign = web.app.services.campaign
    period = campaign.period(request.path_params["period"])
    unit_code = request.path_params["unit"]
    if period is None:
        return web.message(desk.lang, "desk.not_found", 404, desk)
    async with reading(web.app.db) as repos:
        unit = await repos.units.get(unit_code)
        reports = await repos.reports.versions(period.code, unit_code)
    if unit is None:
        return web.message(desk.lang, "desk.not_found", 404, desk)
    areas = {c.code: c.name.get(desk.lang) for c in campaign.content_areas}
    return web.render(
        "report_versions.html", desk.lang, desk=desk, period=period, unit=unit, reports=reports, areas=areas
    )
