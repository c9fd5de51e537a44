"""Holding proactive messages out of the campaign's quiet hours.

The planner plans nothing in the quiet hours, but what it queued just before them, or what an outage of
a messenger kept back, would otherwise go out at night. The worker asks this hold before each send; it
applies to every message the bot sends on its own (a review outcome at 23:00 is no more welcome than a
reminder), and what it holds goes out when the quiet hours end.
"""

from __future__ import annotations

import datetime as dt

from bot.domain.campaign import Campaign
from bot.outbox.worker import Hold
from bot.storage.outbox import OutboxMessage


def quiet_hours_hold(campaign: Campaign) -> Hold:
    policy = campaign.reminders
    tz = campaign.campaign.tz

    def hold(message: OutboxMessage, now: dt.datetime) -> dt.datetime | None:
        local = now.astimezone(tz)
        if not policy.is_quiet(local.time()):
            return None
        return policy.deliverable(local).astimezone(dt.UTC)

    return hold
