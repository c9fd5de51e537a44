"""What reminders are due: a pure function of (campaign, units, submissions, what was decided, now).

Each step of each unit and period has a key; a key is decided once, either sent or skipped, so planning
twice sends once. After downtime several steps may be due at once: only the latest is sent and the
earlier ones are recorded as skipped. Nothing is planned during the quiet hours; a step that falls due in
them is due when they end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from bot.domain.campaign import Campaign, ReportingPeriod
from bot.domain.reminder_policy import ReminderPolicy


# Tuples rather than dataclasses: a first plan makes one of each for every unit and reminder of a province.
class Recipient(NamedTuple):
    user_id: int
    channel: str
    chat_id: str
    lang: str


class UnitState(NamedTuple):
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


class PlannedReminder(NamedTuple):
    key: str
    period: ReportingPeriod
    unit: UnitState
    step: Step


class PlannedStep(NamedTuple):
    """One step of one period for the units it concerns: a first plan reminds thousands of units of the same
    step, so the plan holds them together rather than an item each."""

    period: ReportingPeriod
    step: Step
    units: list[UnitState]

    def keys(self) -> list[str]:
        prefix, suffix = f"rem:{self.period.code}:", f":{self.step.name}"
        return [prefix + unit.code + suffix for unit in self.units]

    def each(self) -> Iterator[PlannedReminder]:
        """Unit by unit, for those that list or test a plan."""
        for unit, key in zip(self.units, self.keys(), strict=True):
            yield PlannedReminder(key, self.period, unit, self.step)


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
    steps: list[PlannedStep] = field(default_factory=list)  # the reminders, by period and step
    escalations: list[PlannedEscalation] = field(default_factory=list)
    # Late units nobody can be told about: no representative has registered yet.
    unreachable_steps: list[PlannedStep] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)  # step keys decided now by sending
    skipped: list[str] = field(default_factory=list)  # step keys decided now without sending

    @property
    def reminders(self) -> list[PlannedReminder]:
        return [item for step in self.steps for item in step.each()]

    @property
    def unreachable(self) -> list[PlannedReminder]:
        return [item for step in self.unreachable_steps for item in step.each()]


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


def _pending(keys: list[str], decided: set[str]) -> range:
    """Indexes of the due steps not decided yet, after the last one that was: a step added to the policy
    later, or found undecided for another reason, never goes out after a later one did."""
    last = len(keys) - 1
    while last >= 0 and keys[last] not in decided:
        last -= 1
    return range(last + 1, len(keys))


def next_due(campaign: Campaign, planned_at: dt.datetime) -> dt.datetime | None:
    """The first moment after a plan made at `planned_at` at which planning again, on the same units, could
    find something to do: the next step of any period falling due, or the end of the quiet hours when the
    plan was made in them (it planned nothing then). None when nothing will ever fall due again.

    A plan decides every step due by its time for every unit it saw; reports only take work away, and a
    decided step stays decided. So until this moment a tick finds nothing to do unless the units change."""
    policy = campaign.reminders
    tz = campaign.campaign.tz
    local = planned_at.astimezone(tz)
    upcoming = [s.due for period in campaign.reporting_periods for s in steps_of(period, policy, tz)]
    if policy.is_quiet(local.time()):
        upcoming.append(policy.deliverable(local).astimezone(dt.UTC))
    return min((due for due in upcoming if due > planned_at), default=None)


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
        unit_steps = [s for s in steps if s.kind != "escalation" and s.due <= now]
        escalation_steps = [s for s in steps if s.kind == "escalation" and s.due <= now]
        keys = [escalation_key(period.code, s.name) for s in escalation_steps]
        pending = _pending(keys, decided)
        if not unit_steps and not pending:
            continue  # nothing of the period is due yet: who is late does not matter
        done = submitted.get(period.code, set())
        late = [u for u in period.owing(units) if u.code not in done]
        if unit_steps:
            _plan_reminders(result, period, late, unit_steps, decided)
        if pending:
            *earlier, latest = pending
            result.skipped += [keys[i] for i in earlier]
            result.sent.append(keys[latest])
            if late:
                result.escalations += _escalations(period, keys[latest], escalation_steps[latest], late, secretariat)
    return result


def _plan_reminders(
    result: Plan, period: ReportingPeriod, late: list[UnitState], steps: list[Step], decided: set[str]
) -> None:
    """Each late unit's latest due step, unless it was decided; the due steps after the last decided one and
    before the latest are skipped (as _pending has it). A first plan does this for every late unit of the
    province, so each unit costs one key and one lookup in the usual case of nothing to skip, and the units
    reminded of one step are kept together."""
    prefix = f"rem:{period.code}:"
    suffixes = [f":{step.name}" for step in steps]
    last = len(steps) - 1
    latest_suffix = suffixes[last]
    reached: list[UnitState] = []
    nobody: list[UnitState] = []
    sent, skipped = result.sent, result.skipped
    keys = [prefix + unit.code + latest_suffix for unit in late]
    for unit, key in zip(late, keys, strict=True):
        if key in decided:
            continue
        if last:
            base = prefix + unit.code
            earlier = [base + suffix for suffix in suffixes[:last]]
            skipped += earlier[_pending(earlier, decided).start :]
        if unit.representatives:
            reached.append(unit)
            sent.append(key)
        else:
            nobody.append(unit)
            skipped.append(key)
    if reached:
        result.steps.append(PlannedStep(period, steps[last], reached))
    if nobody:
        result.unreachable_steps.append(PlannedStep(period, steps[last], nobody))


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
