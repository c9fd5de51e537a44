"""Wiring: settings -> database, campaign, catalog, engine."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from dataclasses import dataclass, field

from bot import logredact
from bot.campaign_loader import load_campaign
from bot.clock import Clock, SystemClock
from bot.conversation.delivery import Sender
from bot.domain.message_size import MessageSize, utf16_length
from bot.engine.context import ChannelFacts, Services
from bot.engine.engine import Engine
from bot.errors import StartupError
from bot.handlers import build_router
from bot.i18n import default_catalog
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.files import STAGING_GRACE, FileStore, referenced_files
from bot.storage.inbox import InboxRepo
from bot.storage.opening import open_database
from bot.storage.units import UnitRepo
from bot.storage.updates import ProcessedUpdates
from bot.successions.setup import import_successions, read_successions_file

log = logging.getLogger(__name__)

UPDATE_LOG_KEPT = dt.timedelta(days=14)


@dataclass
class App:
    settings: Settings
    db: Database
    services: Services
    engine: Engine
    # The running channels' senders by channel name, for proactive messages (filled as channels start).
    senders: dict[str, Sender] = field(default_factory=dict)

    async def close(self) -> None:
        await self.db.close()


class AnyMessenger:
    """What an app built without the channels' registry (a test of something else) assumes: a message no
    longer than every messenger takes, every chat one person's."""

    def size_of(self, channel: str) -> MessageSize:
        return MessageSize(2000, utf16_length)

    def is_group_chat(self, channel: str, chat_id: str) -> bool:
        return False


ANY_MESSENGER = AnyMessenger()


async def build_app(settings: Settings, clock: Clock | None = None, channels: ChannelFacts | None = None) -> App:
    """Everything a channel needs. `channels` is what the channels say of their messengers (the command line
    passes bot/channels/registry.py). Raises CampaignConfigError before touching the database."""
    campaign = load_campaign(settings.campaign_file)
    services = Services(
        campaign=campaign,
        catalog=default_catalog(),
        clock=clock or SystemClock(),
        files=FileStore(settings.files_dir),
        channels=channels or ANY_MESSENGER,
        stale_after=dt.timedelta(days=settings.draft_stale_days),
        phone_retention=dt.timedelta(days=settings.phone_retention_days),
        max_file_bytes=int(settings.max_file_mb * 1024 * 1024),
        max_files=settings.max_files,
        admins=settings.admins,
        desk_chats=settings.desk_chats,
        web_url=settings.web_url,
        web_link_valid=dt.timedelta(minutes=settings.web_link_minutes),
        web_links_per_hour=settings.web_links_per_hour,
    )
    successions = read_successions_file(campaign)
    db = await open_database(settings.database_url)
    # Messengers redeliver an update for a day at most; two weeks of the dedup log is plenty.
    try:
        async with db.transaction() as conn:
            await ProcessedUpdates(conn).prune(services.clock.now() - UPDATE_LOG_KEPT)
            await InboxRepo(conn).prune(services.clock.now() - UPDATE_LOG_KEPT)
            await UnitRepo(conn).seed_from_campaign(campaign, services.clock.now())
            if successions is not None:
                now = services.clock.now()
                today = now.astimezone(campaign.campaign.tz).date()
                where = str(campaign.successions_file)
                await import_successions(conn, successions, "campaign", where, now, today, services)
    except StartupError:
        await db.close()
        raise
    return App(settings=settings, db=db, services=services, engine=Engine(db, services, build_router()))


async def sweep_staged_files(app: App) -> int:
    """Remove the evidence files a killed process staged for an update it never committed, half-written ones,
    and those of cancelled drafts: nothing refers to them any more."""
    async with app.db.reading() as conn:
        referenced = await referenced_files(conn)
    removed = await asyncio.to_thread(app.services.files.remove_unreferenced, referenced, STAGING_GRACE)
    if removed:
        log.info("removed %d evidence file(s) nothing refers to", removed)
    return removed


def configure_logging(settings: Settings) -> None:
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logredact.install(settings.secrets(), tracing=settings.message_tracing)
    # httpx logs every request URL at INFO, and Telegram's URLs carry the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # psycopg's pool logs every connection lent and returned at INFO.
    logging.getLogger("psycopg.pool").setLevel(logging.WARNING)
    # APScheduler logs every minutely wake-up at INFO; in terminal mode those lines land in the middle of the
    # person's chat. Our own jobs log what they did; LOG_LEVEL=DEBUG still shows the scheduler's own lines.
    if logging.getLogger().getEffectiveLevel() >= logging.INFO:
        for name in ("apscheduler", "apscheduler.executors"):
            logging.getLogger(name).setLevel(logging.WARNING)
