"""Feeding the planner from the database and turning its plan into outbox messages, in one transaction;
and the planner's minutely wake-up (DuePlanner), which the scheduler (bot.scheduler) runs."""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import islice

from bot.conversation.buttons import MenuButton
from bot.conversation.messages import Choice, Reply
from bot.domain.campaign import ReportingPeriod
from bot.domain.policy import Role
from bot.engine.context import Services
from bot.reminders.planner import (
    Plan,
    PlannedEscalation,
    Recipient,
    UnitState,
    next_due,
    plan,
)
from bot.storage.database import Connection, Database, try_lock
from bot.storage.outbox import OutboxRepo, ToQueue
from bot.storage.reminder_log import ReminderLog
from bot.storage.reports import ReportRepo
from bot.storage.roles import RoleRepo
from bot.storage.units import UnitRepo

log = logging.getLogger(__name__)
# A named tuple's own constructor is a Python function; made straight from a tuple of its fields, in order,
# the province's tens of thousands of units and people cost a third as much to build.
_new = tuple.__new__
UNIT_REP, COUNCIL, SECRETARIAT = Role.UNIT_REP.value, Role.COUNCIL.value, Role.SECRETARIAT.value
# With several workers on one PostgreSQL database, one of them plans each tick (an advisory lock's key).
PLANNING_LOCK = 7_140_010

# Reminders queued in one statement: few trips to the database, and no more than this many replies in memory.
QUEUED_AT_ONCE = 1_000

# A menu button is read as its command, so this button starts /baocao.
REPORT_BUTTON = MenuButton(command="report").pack()


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while a plan is made. A first plan makes some 100,000 small
    objects (rows, units, reminders) that all live until it is written and form no cycle; the collector,
    woken every 700 new objects, would walk them and the rest of the process again and again, which took
    40% of a first plan's time. Reference counting frees everything as usual meanwhile, and other tasks'
    cycles are collected once it is back on."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


async def plan_from_db(conn: Connection, services: Services, now: dt.datetime) -> Plan:
    """The plan at `now`, from the units, roles, reports and decisions in the database. The province's
    thousands of units and grants are read as plain rows, and only the open periods' decisions."""
    with _collector_paused():
        return await _plan_from_db(conn, services, now)


async def _plan_from_db(conn: Connection, services: Services, now: dt.datetime) -> Plan:
    campaign = services.campaign
    today = now.astimezone(campaign.campaign.tz).date()
    # Only the periods that accept reports today are planned: their reports and decisions are all it reads.
    open_periods = [p.code for p in campaign.reporting_periods if p.accepts_on(today)]
    if not open_periods or campaign.reminders.is_quiet(now.astimezone(campaign.campaign.tz).time()):
        return plan(campaign, [], {}, set(), [], now)
    units = await UnitRepo(conn).active_refs()
    # Each person once in each tuple, each tuple made once: most units have one representative and share
    # their group's council.
    reps: dict[str, tuple[Recipient, ...]] = {}
    council_by_unit: dict[str, tuple[Recipient, ...]] = {}
    council_by_group: dict[str, tuple[Recipient, ...]] = {}
    secretariat: list[Recipient] = []
    # One query for every role held, rather than three per unit: the province may have thousands of units.
    for role, unit_code, group_code, user_id, channel, chat_id, lang in await RoleRepo(conn).reachable_grants():
        person = _new(Recipient, (user_id, channel, chat_id, lang))
        if role == UNIT_REP and unit_code:
            _add(reps, unit_code, person)
        elif role == COUNCIL and unit_code:
            _add(council_by_unit, unit_code, person)
        elif role == COUNCIL and group_code:
            _add(council_by_group, group_code, person)
        elif role == SECRETARIAT and person not in secretariat:
            secretariat.append(person)
    no_one: tuple[Recipient, ...] = ()
    states = [
        _new(
            UnitState,
            (
                code,
                name,
                kind,
                group,
                reps.get(code, no_one),
                council_by_group.get(group or "", no_one)
                if code not in council_by_unit
                else tuple(dict.fromkeys((*council_by_unit[code], *council_by_group.get(group or "", no_one)))),
            ),
        )
        for code, name, kind, group in units
    ]
    submitted = await ReportRepo(conn).reported_units(open_periods)
    decided = await ReminderLog(conn).decided(open_periods)
    return plan(campaign, states, submitted, decided, secretariat, now)


def _add(held: dict[str, tuple[Recipient, ...]], code: str, person: Recipient) -> None:
    people = held.get(code, ())
    if person not in people:
        held[code] = (*people, person)


def _days(services: Services, lang: str, key: str, days: int) -> str:
    return services.catalog.t(lang, f"{key}.one" if days == 1 else f"{key}.many", days=days)


def reminder_reply(services: Services, period: ReportingPeriod, unit: UnitState, today: dt.date, lang: str) -> Reply:
    """The reminder as one representative reads it. Days are counted from the day it is sent, so a reminder
    sent late after downtime still tells the truth."""
    return reminder_replies(services, period, today)(unit, lang)


def reminder_replies(services: Services, period: ReportingPeriod, today: dt.date) -> Callable[[UnitState, str], Reply]:
    """reminder_reply for many units of one period on one day: what all their reminders share (the period's
    name and deadline, the days left, the button) is worked out once in each language."""
    t = services.catalog.t
    left = (period.deadline - today).days
    deadline = f"{period.deadline:%d/%m/%Y}"
    shared: dict[str, tuple[str, dict[str, str], tuple[Choice, ...]]] = {}

    def of_language(lang: str) -> tuple[str, dict[str, str], tuple[Choice, ...]]:
        values = {"period": period.name.get(lang), "deadline": deadline}
        if left > 0:
            key, values["left"] = "reminders.before", _days(services, lang, "reminders.days_left", left)
        elif left == 0:
            key = "reminders.due_today"
        else:
            key, values["late"] = "reminders.overdue", _days(services, lang, "reminders.days_late", -left)
        return key, values, (Choice(label=t(lang, "reminders.start_report"), value=REPORT_BUTTON),)

    def reply(unit: UnitState, lang: str) -> Reply:
        if lang not in shared:
            shared[lang] = of_language(lang)
        key, values, choices = shared[lang]
        return Reply(text=t(lang, key, unit=unit.name, **values), choices=choices)

    return reply


def escalation_reply(services: Services, item: PlannedEscalation, today: dt.date) -> Reply:
    """The late units by cluster or block, in the order the campaign lists them."""
    t = services.catalog.t
    lang = item.recipient.lang
    campaign = services.campaign
    late = max(1, (today - item.period.deadline).days)
    lines = [
        t(
            lang,
            "reminders.escalation.title",
            period=item.period.name.get(lang),
            deadline=f"{item.period.deadline:%d/%m/%Y}",
            late=_days(services, lang, "reminders.days_late", late),
            count=len(item.late_units),
        )
    ]
    order = [g.code for g in campaign.groups]
    groups = sorted({u.group for u in item.late_units}, key=lambda g: order.index(g) if g in order else len(order))
    for code in groups:
        group = campaign.group(code) if code else None
        lines += ["", group.name.get(lang) if group else t(lang, "reminders.escalation.no_group")]
        lines += [f"• {u.name}" for u in item.late_units if u.group == code]
    lines += ["", t(lang, "reminders.escalation.footer")]
    return Reply(text="\n".join(lines))


async def enqueue_plan(conn: Connection, services: Services, planned: Plan, now: dt.datetime) -> int:
    """Write the plan's messages and its decisions together: a crash leaves both or neither."""
    outbox = OutboxRepo(conn)
    queued = 0
    # A step's reminders in batches rather than one trip to the database each: a first plan queues one for
    # every representative of the province, and on SQLite every other writer waits until it is committed.
    for step in planned.steps:
        render = reminder_replies(services, step.period, planned.today)
        messages = (
            ToQueue(f"{key}:{rep.user_id}", rep.channel, rep.chat_id, rep.user_id, render(unit, rep.lang))
            for unit, key in zip(step.units, step.keys(), strict=True)
            for rep in unit.representatives
        )
        while batch := list(islice(messages, QUEUED_AT_ONCE)):
            queued += await outbox.enqueue_many(batch, "reminder", now)
    for escalation in planned.escalations:
        person = escalation.recipient
        queued += await outbox.enqueue(
            escalation.key,
            person.channel,
            person.chat_id,
            escalation_reply(services, escalation, planned.today),
            "escalation",
            now,
            user_id=person.user_id,
        )
    decisions = ReminderLog(conn)
    await decisions.record(planned.sent, "sent", now)
    await decisions.record(planned.skipped, "skipped", now)
    return queued


async def run_planner(db: Database, services: Services, at: dt.datetime | None = None) -> int:
    """Plan as of `at` (the clock's time by default) and enqueue, recorded at the clock's time. Returns how
    many messages were queued."""
    now = services.clock.now()
    # Not exclusive: the planning lock keeps a second worker out, and what it writes is keyed against doubles.
    async with db.transaction(exclusive=False) as conn:
        if not await try_lock(conn, PLANNING_LOCK):
            return 0  # another worker is planning this minute; the next tick looks again
        planned = await plan_from_db(conn, services, at or now)
        queued = await enqueue_plan(conn, services, planned, now)
    if queued or planned.skipped:
        log.info("reminders: %d message(s) queued, %d step(s) decided without sending", queued, len(planned.skipped))
    return queued


class DuePlanner:
    """The minutely wake-up of the running bot: plans when something may have fallen due since its last
    plan (a step's time came, the quiet hours ended: see next_due) or the units changed, and otherwise
    reads one number. The first wake-up after start plans in full, so nothing rests on memory."""

    def __init__(self, db: Database, services: Services) -> None:
        self.db = db
        self.services = services
        self._planned: tuple[dt.datetime, int] | None = None

    async def __call__(self) -> int:
        now = self.services.clock.now()
        async with self.db.reading() as conn:
            units = await UnitRepo(conn).last_version()
        if self._planned is not None:
            planned_at, units_then = self._planned
            due = next_due(self.services.campaign, planned_at)
            if units == units_then and planned_at <= now and (due is None or now < due):
                return 0
        queued = await run_planner(self.db, self.services)
        self._planned = (now, units)
        return queued
