"""The audit log on the desk: who did what, when, from where; filtered, newest first."""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import Response

from bot.conversation.numbers import whole_number
from bot.domain.policy import Action
from bot.storage.repos import reading
from bot.storage.web_desk import AUDIT_PAGE
from bot.web.context import Desk, desk_page, web_of
from bot.web.queue import day


@desk_page(Action.SEE_AUDIT)
async def audit_page(request: Request, desk: Desk) -> Response:
    web = web_of(request)
    q = request.query_params
    action, subject = q.get("action", "")[:60], q.get("subject", "").strip()[:60]
    before = q.get("before", "")
    async with reading(web.app.db) as repos:
        lines = await repos.web_desk.audit_lines(
            action=action,
            subject=subject,
            since=day(web, q.get("since", "")),
            until=day(web, q.get("until", ""), after=1),
            before_id=whole_number(before),
        )
        actions = await repos.web_desk.audit_actions()
    more = len(lines) > AUDIT_PAGE
    lines = lines[:AUDIT_PAGE]
    params = {k: v for k, v in q.items() if k != "before" and v}
    older = "/audit?" + urlencode({**params, "before": str(lines[-1].id)}) if more and lines else None
    return web.render(
        "audit.html", desk.lang, desk=desk, lines=lines, actions=actions, args=q, older=older, action=action
    )
