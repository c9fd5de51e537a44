"""/tonghop (/digest): the secretariat's digest now, in this conversation, with the chart of the open
periods. It covers the time since the last daily digest and leaves the scheduled windows as they are."""

from __future__ import annotations

import datetime as dt

from bot.digests.compose import gather
from bot.digests.delivery import chart_folder, digest_replies
from bot.digests.jobs import charts_for
from bot.domain.digest import DigestKind
from bot.engine.context import Context
from bot.storage.files import remove_older_than

MOMENT = dt.timedelta(minutes=1)
# Longer than the outbox keeps trying a message, so a weekly chart still queued is never removed under it.
CHARTS_KEPT_SECONDS = 7 * 24 * 3600


async def send_digest(ctx: Context) -> None:
    now = ctx.now
    campaign = ctx.campaign
    since = await ctx.repos.digests.last_end(DigestKind.DAILY)
    if since is None or since >= now - MOMENT:
        # Nothing logged yet, or the daily digest has only just gone out: cover the day before it instead
        # of an empty window.
        since = campaign.digests.latest(DigestKind.DAILY, now - MOMENT, campaign.campaign.tz)
    data = await gather(ctx.repos, campaign, since, now, now, None)
    # One picture per asking: the name carries the moment and the person, so none is overwritten while sent.
    stem = f"now-{now:%Y%m%dT%H%M%S}-{ctx.user.id}"
    services, lang, channel = ctx.services, ctx.lang, ctx.incoming.channel

    async def draw() -> None:
        # After the commit: drawing a chart takes a while, and nobody's update should wait for it behind the
        # write lock.
        remove_older_than(chart_folder(services), CHARTS_KEPT_SECONDS)
        charts = await charts_for(data, services, {lang}, stem)
        ctx.replies.extend(digest_replies(data, services, lang, channel, charts.get(lang)))

    ctx.after_commit.append(draw)
