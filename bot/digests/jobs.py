"""Sending each due digest window once: planned from the digest log, written to the outbox in the same
transaction as the log row that claims the window. The scheduler (bot.scheduler) wakes it every minute.

After downtime every missed window is sent, oldest first, each as its own digest covering its own day or
week; past MAX_CATCH_UP missed windows of a kind, the oldest are folded into one digest that covers them
all (bot/domain/digest.py plan_windows), so nothing is skipped and nobody is flooded.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from bot.conversation.messages import Reply
from bot.digests import chart
from bot.digests.compose import DigestData, Writer, gather
from bot.digests.delivery import chart_folder, digest_replies
from bot.domain.digest import DigestKind, Window, plan_windows
from bot.engine.context import Services
from bot.storage.database import Database, try_lock
from bot.storage.desk import DeskChat
from bot.storage.digests import DigestRepo
from bot.storage.outbox import OutboxRepo
from bot.storage.repos import Repos

log = logging.getLogger(__name__)
DIGEST_LOCK = 7_140_011

OUTBOX_KIND = "digest"


def _stem(window: Window) -> str:
    return window.key.replace(":", "-")


async def charts_for(
    data: DigestData, services: Services, langs: set[str], stem: str, folder: Path | None = None
) -> dict[str, Path]:
    """The chart in each language, drawn off the event loop. A chart that cannot be drawn is left out and
    logged: the digest's text matters more than its picture."""
    drawn: dict[str, Path] = {}
    for lang in sorted(langs):
        spec = Writer(services.campaign, services.catalog, lang).chart(data)
        if spec is None:
            continue
        try:
            drawn[lang] = await chart.render(spec, (folder or chart_folder(services)) / f"{stem}-{lang}.png")
        except Exception:
            log.exception("digests: the chart for %s (%s) could not be drawn; sending the text alone", stem, lang)
    return drawn


async def send_window(db: Database, services: Services, window: Window, now: dt.datetime) -> int:
    """Queue the window's digest to every desk chat, unless the window is in the log already. Returns how
    many messages were queued."""
    async with db.reading() as conn:
        repos = Repos(conn)
        data = await gather(repos, services.campaign, window.start, window.end, now, window.kind)
        chats = await repos.desk.chats(services.desk_chats)
    charts: dict[str, Path] = {}
    if window.kind is DigestKind.WEEKLY and chats:
        charts = await charts_for(data, services, {c.lang for c in chats}, _stem(window))
    made: dict[tuple[str, str], list[Reply]] = {}
    planned: list[tuple[DeskChat, list[Reply]]] = []
    for chat in chats:
        key = (chat.lang, chat.channel)
        if key not in made:
            made[key] = digest_replies(data, services, chat.lang, chat.channel, charts.get(chat.lang))
        planned.append((chat, made[key]))
    queued = 0
    async with db.transaction(exclusive=False) as conn:
        # One worker queues the window; another finding the lock taken (or the window logged) leaves it.
        if not await try_lock(conn, DIGEST_LOCK):
            return 0
        if not await DigestRepo(conn).record(window, sum(len(r) for _, r in planned), now):
            return 0
        outbox = OutboxRepo(conn)
        for chat, replies in planned:
            for number, reply in enumerate(replies, start=1):
                part = "chart" if reply.file is not None else str(number)
                queued += await outbox.enqueue(
                    f"{window.key}:{chat.key}:{part}",
                    chat.channel,
                    chat.chat_id,
                    reply,
                    OUTBOX_KIND,
                    now,
                    user_id=chat.user_id,
                )
    log.info("digests: %s queued to %d chat(s) as %d message(s)", window.key, len(planned), queued)
    return queued


async def run_digests(db: Database, services: Services) -> int:
    """Send every digest window due at the clock's time. Returns how many messages were queued."""
    now = services.clock.now()
    campaign = services.campaign
    queued = 0
    for kind in DigestKind:
        async with db.reading() as conn:
            last = await DigestRepo(conn).last_end(kind)
        plan = plan_windows(kind, campaign.digests, campaign.campaign.tz, last, now)
        if plan.baseline is not None:
            async with db.transaction() as conn:
                await DigestRepo(conn).record_baseline(kind, plan.baseline, now)
            log.info("digests: %s digests count from %s", kind.value, plan.baseline.isoformat())
        for window in plan.windows:
            queued += await send_window(db, services, window, now)
    return queued
