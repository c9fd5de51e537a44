"""/web (/desk): a one-time link to the desk in a browser, for the person who asked, in their own chat.

The link is good for one sign-in within a few minutes; only its hash is kept. Opening it shows a button, and
only pressing that uses it, so a messenger fetching the link for a preview does not sign anyone in.
"""

from __future__ import annotations

import datetime as dt

from bot.engine.context import Context

RATE_WINDOW = dt.timedelta(hours=1)


async def send_link(ctx: Context) -> None:
    repo = ctx.repos.web_auth
    services = ctx.services
    if await repo.links_since(ctx.user.id, ctx.now - RATE_WINDOW) >= services.web_links_per_hour:
        ctx.say(ctx.t("desk.link.too_many", count=services.web_links_per_hour))
        return
    token = await repo.create_link(ctx.user.id, ctx.now, services.web_link_valid)
    minutes = round(services.web_link_valid.total_seconds() / 60)
    ctx.say(ctx.t("desk.link.sent", url=f"{services.web_url}/signin/{token}", minutes=minutes))
