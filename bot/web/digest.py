"""Today's digest on the desk, as /tonghop gives it in the chat (the same gathering, the same words), with
the chart of the open periods."""

from __future__ import annotations

import re

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from bot.digests.compose import Writer, gather
from bot.digests.delivery import chart_folder
from bot.digests.jobs import charts_for
from bot.domain.digest import DigestKind
from bot.domain.policy import Action
from bot.handlers.digest import CHARTS_KEPT_SECONDS, MOMENT
from bot.storage.files import remove_older_than
from bot.storage.repos import reading
from bot.web.context import Desk, desk_page, web_of

CHART_NAME = re.compile(r"^desk-[0-9T]+-(\d+)-(vi|en)\.png$")


@desk_page(Action.DIGEST)
async def digest_page(request: Request, desk: Desk) -> Response:
    web = web_of(request)
    services = web.app.services
    campaign = services.campaign
    now = web.now()
    async with reading(web.app.db) as repos:
        since = await repos.digests.last_end(DigestKind.DAILY)
        if since is None or since >= now - MOMENT:
            since = campaign.digests.latest(DigestKind.DAILY, now - MOMENT, campaign.campaign.tz)
        data = await gather(repos, campaign, since, now, now, None)
    writer = Writer(campaign, services.catalog, desk.lang)
    # The picture's name carries the person, so only they are served it.
    stem = f"desk-{now:%Y%m%dT%H%M%S}-{desk.user.id}"
    remove_older_than(chart_folder(services), CHARTS_KEPT_SECONDS)
    charts = await charts_for(data, services, {desk.lang}, stem)
    chart = charts.get(desk.lang)
    return web.render(
        "digest.html",
        desk.lang,
        desk=desk,
        text=writer.text(data),
        chart=chart.name if chart else None,
        caption=writer.caption(data) if chart else "",
    )


@desk_page(Action.DIGEST)
async def chart_route(request: Request, desk: Desk) -> Response:
    web = web_of(request)
    name = request.path_params["name"]
    match = CHART_NAME.match(name)
    path = chart_folder(web.app.services) / name
    if match is None or int(match.group(1)) != desk.user.id or not path.is_file():
        return web.message(desk.lang, "desk.file.missing", 404, desk)
    return FileResponse(path, media_type="image/png", headers={"Cache-Control": "private, no-store"})
