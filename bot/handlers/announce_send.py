"""Sending an announcement: the words around it in each reader's language, and the one write that records it
and queues its messages. Shared by /thongbao and `python -m bot announce`."""

from __future__ import annotations

import datetime as dt

from bot.conversation.messages import Reply
from bot.domain.announcement import Audience
from bot.domain.campaign import Campaign
from bot.domain.users import User
from bot.engine.context import Services
from bot.i18n import Catalog
from bot.storage.announcements import Announcement
from bot.storage.repos import Repos


def audience_name(catalog: Catalog, lang: str, campaign: Campaign, audience: Audience, target: str | None) -> str:
    if audience is Audience.GROUP:
        group = campaign.group(target or "")
        return catalog.t(lang, "announce.to_group", name=group.name.get(lang) if group else target)
    if audience is Audience.UNIT:
        return catalog.t(lang, "announce.to_unit", name=target)
    return catalog.t(lang, "announce.to_all")


def messages_for(services: Services, reader: User, text: str) -> list[Reply]:
    """The announcement as this reader's messenger carries it: cut here at its size (Zalo's is 2,000), each
    part its own outbox message, so a part that fails is retried alone and no part is ever sent twice."""
    whole = services.catalog.t(reader.lang, "announce.message", text=text)
    return [Reply(text=part) for part in services.channels.size_of(reader.channel).split(whole)]


async def send_announcement(
    repos: Repos,
    services: Services,
    *,
    author: User | None,
    channel: str,
    audience: Audience,
    target: str | None,
    text: str,
    now: dt.datetime,
) -> Announcement:
    """Record it and queue one message per recipient, in the caller's transaction."""
    repo = repos.announcements
    readers = await repo.recipients(audience, target)
    messages = [(reader, messages_for(services, reader, text)) for reader in readers]
    return await repo.create(
        author=author, channel=channel, audience=audience, target=target, text=text, messages=messages, now=now
    )
