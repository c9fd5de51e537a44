"""What reminders are due: a pure function of (campaign, units, submissions, what was decided, now).

Each step of each unit and period has a key; a key is decided once, either sent or skipped, so planning
twice sends once. After downtime several steps may be due at once: only the latest is sent and the
earlier ones are recorded as skipped. Nothing is planned during the quiet hours; a step that falls due in
them is due when they end.
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
    late_units: tuple[UnitState, ...]


@dataclass
class Plan:
    today: dt.date  # in the campaign's time zone, for "3 days left"
    reminders: list[PlannedReminder] = field(default_factory=list)
    escalations: list[PlannedEscalation] = field(default_factory=list)
    # Late units nobody can be told about: no representative has registered yet.
    unreachable: list[PlannedReminder] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)  # step keys decided now by sending
    skipped: list[str] = field(default_factory=list)  # step keys decided now without sending


def steps_of(period: ReportingPeriod, policy: ReminderPolicy, tz: dt.tzinfo) -> list[Step]:
    """The period's steps in the order they fall due."""

    def at(day: dt.date) -> dt.datetime:
        return policy.deliverable(dt.datetime.combine(day, policy.send_at, tzinfo=tz)).astimezone(dt.UTC)

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


def _pending(steps: list[Step], keys: list[str], decided: set[str]) -> list[int]:
    """Indexes of the due steps not decided yet, after the last one that was: a step added to the policy
    later, or found undecided for another reason, never goes out after a later one did."""
    last = max((i for i, key in enumerate(keys) if key in decided), default=-1)
    return [i for i in range(last + 1, len(steps)) if keys[i] not in decided]


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
    result = Plan(today=local_now.date())
    if policy.is_quiet(local_now.time()):
        return result
    for period in campaign.reporting_periods:
        if not period.accepts_on(result.today):
            continue
        steps = steps_of(period, policy, tz)
        done = submitted.get(period.code, set())
        late = [u for u in period.owing(units) if u.code not in done]
        unit_steps = [s for s in steps if s.kind != "escalation" and s.due <= now]
        for unit in late:
            keys = [reminder_key(period.code, unit.code, s.name) for s in unit_steps]
            pending = _pending(unit_steps, keys, decided)
            if not pending:
                continue
            *earlier, latest = pending
            result.skipped += [keys[i] for i in earlier]
            item = PlannedReminder(keys[latest], period, unit, unit_steps[latest])
            if unit.representatives:
                result.reminders.append(item)
                result.sent.append(item.key)
            else:
                result.unreachable.append(item)
                result.skipped.append(item.key)
        escalation_steps = [s for s in steps if s.kind == "escalation" and s.due <= now]
        keys = [escalation_key(period.code, s.name) for s in escalation_steps]
        pending = _pending(escalation_steps, keys, decided)
        if pending:
            *earlier, latest = pending
            result.skipped += [keys[i] for i in earlier]
            result.sent.append(keys[latest])
            if late:
                result.escalations += _escalations(period, keys[latest], escalation_steps[latest], late, secretariat)
    return result


def _escalations(
    period: ReportingPeriod, key: str, step: Step, late: list[UnitState], secretariat: list[Recipient]
) -> list[PlannedEscalation]:
    """Each council member hears of the late units in their charge; the secretariat hears of them all (a
    person who is both gets the whole list, once)."""
    by_member: dict[Recipient, list[UnitState]] = {}
    for unit in late:
        for member in unit.council:
            by_member.setdefault(member, []).append(unit)
    for person in secretariat:
        by_member[person] = list(late)
    return [
        PlannedEscalation(f"{key}:{member.user_id}", period, step, member, tuple(units))
        for member, units in by_member.items()
    ]
