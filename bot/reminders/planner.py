"""What reminders are due: a pure function of (campaign, units, submissions, what was decided, now).

Each step of each unit and period has a key; a key is decided once, either sent or skipped, so planning
twice sends once. After downtime several steps may be due at once: only the latest is sent and the
earlier ones are recorded as skipped.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.domain.campaign import Campaign, ReportingPeriod
from bot.domain.reminder_policy import ReminderPolicy


@dataclass(frozen=True)
class Recipient:
    user_id: int
    channel: str
    chat_id: str
    lang: str


@dataclass(frozen=True)
class UnitState:
    code: str
    name: str
    kind: str
    group: str | None
    representatives: tuple[Recipient, ...] = ()
    council: tuple[Recipient, ...] = ()


@dataclass(frozen=True)
class Step:
    name: str  # "d-7" ... "d-0", "o+1", "e+3"
    kind: str  # "before", "overdue", "escalation"
    days: int
    due: dt.datetime  # UTC, already moved out of quiet hours


@dataclass(frozen=True)
class PlannedReminder:
    key: str
    period: ReportingPeriod
    unit: UnitState
    step: Step


@dataclass(frozen=True)
class PlannedEscalation:
    key: str
    period: ReportingPeriod
    step: Step
    recipient: Recipient
    late_units: tuple[str, ...]


@dataclass
class Plan:
    reminders: list[PlannedReminder] = field(default_factory=list)
    escalations: list[PlannedEscalation] = field(default_factory=list)
    decided: list[str] = field(default_factory=list)  # keys to record: sent now, or skipped in a catch-up
    skipped: list[str] = field(default_factory=list)


def deliverable(local: dt.datetime, policy: ReminderPolicy) -> dt.datetime:
    """The first moment at or after `local` that is outside quiet hours."""
    if not policy.is_quiet(local.time()):
        return local
    end = local.replace(hour=policy.quiet_end.hour, minute=policy.quiet_end.minute, second=0, microsecond=0)
    return end if end > local else end + dt.timedelta(days=1)


def steps_of(period: ReportingPeriod, policy: ReminderPolicy, tz: dt.tzinfo) -> list[Step]:
    def at(day: dt.date) -> dt.datetime:
        local = dt.datetime.combine(day, policy.send_at, tzinfo=tz)
        return deliverable(local, policy).astimezone(dt.UTC)

    steps = [
        Step(f"d-{d}", "before", d, at(period.deadline - dt.timedelta(days=d)))
        for d in sorted(policy.before_days, reverse=True)
        if period.deadline - dt.timedelta(days=d) >= period.opens
    ]
    steps += [
        Step(f"o+{d}", "overdue", d, at(period.deadline + dt.timedelta(days=d))) for d in sorted(policy.overdue_days)
    ]
    steps += [
        Step(f"e+{d}", "escalation", d, at(period.deadline + dt.timedelta(days=d)))
        for d in sorted(policy.escalate_days)
    ]
    return steps


def reminder_key(period: str, unit: str, step: str) -> str:
    return f"rem:{period}:{unit}:{step}"


def escalation_key(period: str, step: str) -> str:
    return f"esc:{period}:{step}"


def plan(
    campaign: Campaign,
    units: list[UnitState],
    submitted: dict[str, set[str]],
    decided: set[str],
    secretariat: list[Recipient],
    now: dt.datetime,
) -> Plan:
    policy = campaign.reminders
    tz = campaign.campaign.tz
    local_now = now.astimezone(tz)
    result = Plan()
    if policy.is_quiet(local_now.time()):
        return result
    today = local_now.date()
    for period in campaign.reporting_periods:
        if not period.opens <= today <= period.last_day:
            continue
        steps = steps_of(period, policy, tz)
        done = submitted.get(period.code, set())
        late = [u for u in units if period.owed_by.includes(u.code, u.kind, u.group) and u.code not in done]
        unit_steps = [s for s in steps if s.kind != "escalation" and s.due <= now]
        for unit in late:
            pending = [s for s in unit_steps if reminder_key(period.code, unit.code, s.name) not in decided]
            if not pending:
                continue
            latest = pending[-1]
            for earlier in pending[:-1]:
                result.skipped.append(reminder_key(period.code, unit.code, earlier.name))
            key = reminder_key(period.code, unit.code, latest.name)
            result.reminders.append(PlannedReminder(key, period, unit, latest))
            result.decided.append(key)
        escalations = [
            s
            for s in steps
            if s.kind == "escalation" and s.due <= now and escalation_key(period.code, s.name) not in decided
        ]
        if escalations:
            latest = escalations[-1]
            result.skipped += [escalation_key(period.code, s.name) for s in escalations[:-1]]
            result.decided.append(escalation_key(period.code, latest.name))
            if late:
                result.escalations += _escalations(period, latest, late, secretariat)
    result.decided += result.skipped
    return result


def _escalations(
    period: ReportingPeriod, step: Step, late: list[UnitState], secretariat: list[Recipient]
) -> list[PlannedEscalation]:
    by_member: dict[Recipient, list[str]] = {}
    for unit in late:
        for member in unit.council:
            by_member.setdefault(member, []).append(unit.name)
    key = escalation_key(period.code, step.name)
    planned = [
        PlannedEscalation(f"{key}:{member.user_id}", period, step, member, tuple(names))
        for member, names in by_member.items()
    ]
    everyone = tuple(u.name for u in late)
    planned += [
        PlannedEscalation(f"{key}:{person.user_id}", period, step, person, everyone)
        for person in secretariat
        if person not in by_member
    ]
    return planned
