"""Feeding the planner from the database and turning its plan into outbox messages, in one transaction."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import aiosqlite
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.domain.policy import Role
from bot.engine.context import Services
from bot.engine.messages import Choice, Reply
from bot.reminders.planner import Plan, PlannedEscalation, PlannedReminder, Recipient, UnitState, plan
from bot.storage.database import Database
from bot.storage.outbox import OutboxRepo
from bot.storage.reminder_log import ReminderLog
from bot.storage.reports import ReportRepo
from bot.storage.roles import RoleRepo
from bot.storage.units import UnitRepo

log = logging.getLogger(__name__)

REPORT_BUTTON = "menu:report"


async def plan_from_db(conn: aiosqlite.Connection, services: Services, now: dt.datetime) -> Plan:
    units = await UnitRepo(conn).active()
    reps: dict[str, list[Recipient]] = {}
    council_by_unit: dict[str, list[Recipient]] = {}
    council_by_group: dict[str, list[Recipient]] = {}
    secretariat: list[Recipient] = []
    for grant, user in await RoleRepo(conn).all_active():
        person = Recipient(user.id, user.channel, user.chat_id, user.lang)
        if grant.role is Role.UNIT_REP and grant.unit_code:
            reps.setdefault(grant.unit_code, []).append(person)
        elif grant.role is Role.COUNCIL and grant.unit_code:
            council_by_unit.setdefault(grant.unit_code, []).append(person)
        elif grant.role is Role.COUNCIL and grant.group_code:
            council_by_group.setdefault(grant.group_code, []).append(person)
        elif grant.role is Role.SECRETARIAT and person not in secretariat:
            secretariat.append(person)
    states = [
        UnitState(
            code=u.code,
            name=u.name,
            kind=u.kind,
            group=u.group,
            representatives=tuple(reps.get(u.code, [])),
            council=tuple(dict.fromkeys([*council_by_unit.get(u.code, []), *council_by_group.get(u.group or "", [])])),
        )
        for u in units
    ]
    submitted = await ReportRepo(conn).submitted_by_period()
    decided = await ReminderLog(conn).decided()
    return plan(services.campaign, states, submitted, decided, secretariat, now)


def _deadline(services: Services, reminder: PlannedReminder | PlannedEscalation) -> str:
    return reminder.period.deadline.strftime("%d/%m/%Y")


def reminder_reply(services: Services, item: PlannedReminder, lang: str) -> Reply:
    t = services.catalog.t
    step = item.step
    values = {
        "period": item.period.name.get(lang),
        "unit": item.unit.name,
        "deadline": _deadline(services, item),
        "days": step.days,
    }
    if step.kind == "overdue":
        text = t(lang, "reminders.overdue", **values)
    elif step.days == 0:
        text = t(lang, "reminders.due_today", **values)
    else:
        text = t(lang, "reminders.before", **values)
    return Reply(text=text, choices=(Choice(label=t(lang, "reminders.start_report"), value=REPORT_BUTTON),))


def escalation_reply(services: Services, item: PlannedEscalation) -> Reply:
    lang = item.recipient.lang
    return Reply(
        text=services.catalog.t(
            lang,
            "reminders.escalation",
            period=item.period.name.get(lang),
            deadline=_deadline(services, item),
            days=item.step.days,
            count=len(item.late_units),
            units="\n".join(f"• {name}" for name in item.late_units),
        )
    )


async def enqueue_plan(conn: aiosqlite.Connection, services: Services, planned: Plan, now: dt.datetime) -> int:
    """Write the plan's messages and its decisions together: a crash leaves both or neither."""
    outbox = OutboxRepo(conn)
    queued = 0
    for item in planned.reminders:
        for person in item.unit.representatives:
            reply = reminder_reply(services, item, person.lang)
            queued += await outbox.enqueue(
                f"{item.key}:{person.user_id}",
                person.channel,
                person.chat_id,
                reply,
                "reminder",
                now,
                user_id=person.user_id,
            )
    for escalation in planned.escalations:
        person = escalation.recipient
        queued += await outbox.enqueue(
            escalation.key,
            person.channel,
            person.chat_id,
            escalation_reply(services, escalation),
            "escalation",
            now,
            user_id=person.user_id,
        )
    await ReminderLog(conn).record(planned.decided, set(planned.skipped), now)
    return queued


async def run_planner(db: Database, services: Services, now: dt.datetime | None = None) -> int:
    """Plan and enqueue at `now` (the clock's time by default). Returns how many messages were queued."""
    at = now or services.clock.now()
    async with db.transaction() as conn:
        planned = await plan_from_db(conn, services, at)
        queued = await enqueue_plan(conn, services, planned, at)
    if queued or planned.skipped:
        log.info("reminders: %d message(s) queued, %d step(s) skipped in catch-up", queued, len(planned.skipped))
    return queued


def build_scheduler(db: Database, services: Services, on_queued: Callable[[], None] | None = None) -> AsyncIOScheduler:
    """Wake the planner every minute and once at start-up. What was missed during downtime is found by the
    planner in the database, so APScheduler's own misfire handling never decides what gets sent."""
    scheduler = AsyncIOScheduler(timezone=dt.UTC)

    async def tick() -> None:
        try:
            queued = await run_planner(db, services)
        except Exception:
            log.exception("reminders: planning failed; will try again in a minute")
            return
        if queued and on_queued is not None:
            on_queued()

    scheduler.add_job(
        tick,
        "interval",
        minutes=1,
        next_run_time=dt.datetime.now(dt.UTC),
        coalesce=True,
        max_instances=1,
        misfire_grace_time=None,
        id="reminders",
    )
    return scheduler
