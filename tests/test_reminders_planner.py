"""The planner alone, with plain inputs and a fixed clock: the whole schedule, submitted units, quiet hours,
catch-up after downtime, escalation, and the policy's own checks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from bot.campaign_loader import load_campaign
from bot.domain.campaign import Campaign
from bot.domain.reminder_policy import ReminderPolicy
from bot.reminders.planner import Plan, Recipient, UnitState, plan, reminder_key
from tests.support.config import CAMPAIGN

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
SHIPPED = load_campaign(CAMPAIGN)
SECRETARIAT = Recipient(900, "telegram", "900", "vi")
COUNCIL_CUM1 = Recipient(901, "telegram", "901", "en")


def local(month: int, day: int, hour: int = 8, minute: int = 0, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ).astimezone(dt.UTC)


def rep(n: int, lang: str = "vi") -> Recipient:
    return Recipient(n, "telegram", str(n), lang)


def units_with_reps(campaign: Campaign = SHIPPED) -> list[UnitState]:
    return [
        UnitState(
            u.code,
            u.name,
            u.kind,
            u.group,
            representatives=(rep(i + 1),),
            council=(COUNCIL_CUM1,) if u.group == "CUM1" else (),
        )
        for i, u in enumerate(campaign.units)
    ]


@dataclass
class Simulation:
    """The planner woken every `every` from `start` to `end`, its decisions kept as the database would."""

    campaign: Campaign
    units: list[UnitState]
    submitted: dict[str, set[str]]
    decided: set[str]
    events: list[tuple[str, str]]

    def run(self, start: dt.datetime, end: dt.datetime, every: dt.timedelta = dt.timedelta(minutes=30)) -> None:
        now = start
        while now <= end:
            self.at(now)
            now += every

    def at(self, now: dt.datetime) -> Plan:
        planned = plan(self.campaign, self.units, self.submitted, self.decided, [SECRETARIAT], now)
        when = f"{now.astimezone(TZ):%d/%m %H:%M}"
        self.events += [(when, f"{r.period.code} {r.unit.code} {r.step.name}") for r in planned.reminders]
        self.events += [
            (when, f"{e.period.code} {e.step.name} → {e.recipient.user_id}: {len(e.late_units)}")
            for e in planned.escalations
        ]
        self.decided |= {*planned.sent, *planned.skipped}
        return planned

    def of(self, needle: str) -> list[str]:
        return [f"{when} {what}" for when, what in self.events if needle in what]


def simulation(campaign: Campaign = SHIPPED, submitted: dict[str, set[str]] | None = None) -> Simulation:
    return Simulation(campaign, units_with_reps(campaign), submitted or {}, set(), [])


def test_the_whole_schedule_of_a_period() -> None:
    sim = simulation(submitted={"CN": {"TP-SADEC"}})
    sim.run(local(11, 28, 0), local(1, 6, 0, year=2027))
    # The year-end report is due 10/12: 7, 3 and 1 days before, the morning of, 1 and 3 days after, at 08:00.
    assert sim.of("CN H-LAPVO ") == [
        "03/12 08:00 CN H-LAPVO d-7",
        "07/12 08:00 CN H-LAPVO d-3",
        "09/12 08:00 CN H-LAPVO d-1",
        "10/12 08:00 CN H-LAPVO d-0",
        "11/12 08:00 CN H-LAPVO o+1",
        "13/12 08:00 CN H-LAPVO o+3",
    ]
    # The districts and cities also owe the digital phase, due 31/12; departments do not.
    assert [e.split()[0] for e in sim.of("DOT-CDS H-LAPVO ")] == ["24/12", "28/12", "30/12", "31/12", "01/01", "03/01"]
    assert sim.of("DOT-CDS SO-NOIVU") == []
    # Sa Đéc reported the year-end report: never reminded of it, still reminded of the phase.
    assert sim.of("CN TP-SADEC") == [] and len(sim.of("DOT-CDS TP-SADEC")) == 6
    assert len(sim.of("CN ")) == 17 * 6 + 2  # 17 late units, six steps each, and two escalations
    # Three days after the deadline the council member in charge of cluster 1 hears of its late units, and
    # the secretariat of all of them.
    assert sim.of("CN e+3") == ["13/12 08:00 CN e+3 → 901: 6", "13/12 08:00 CN e+3 → 900: 17"]
    # The six-month period closed in July: nothing about it.
    assert sim.of("6T ") == []


def test_nothing_in_quiet_hours_and_what_falls_due_in_them_waits_for_the_morning() -> None:
    late_evening = SHIPPED.model_copy(update={"reminders": ReminderPolicy(send_at=dt.time(22, 30))})
    sim = simulation(late_evening)
    sim.run(local(12, 2, 12), local(12, 4, 12), every=dt.timedelta(minutes=15))
    assert sim.of("CN H-LAPVO") == ["04/12 07:00 CN H-LAPVO d-7"]  # due 03/12 22:30, in quiet hours
    assert sim.at(local(12, 6, 23, 30)).reminders == []  # even what is overdue waits


def test_after_downtime_only_the_latest_missed_step_is_sent() -> None:
    sim = simulation()
    planned = sim.at(local(12, 9, 10))  # the first wake-up since before 03/12
    lapvo = [r.step.name for r in planned.reminders if r.unit.code == "H-LAPVO"]
    assert lapvo == ["d-1"]
    assert {reminder_key("CN", "H-LAPVO", "d-7"), reminder_key("CN", "H-LAPVO", "d-3")} <= set(planned.skipped)
    assert sim.at(local(12, 9, 11)).reminders == []  # the passed-over steps never come back
    # Down again from before 11/12 until after the escalation: one overdue reminder, one escalation.
    planned = sim.at(local(12, 14, 9))
    assert [r.step.name for r in planned.reminders if r.unit.code == "H-LAPVO"] == ["o+3"]
    assert [e.step.name for e in planned.escalations] == ["e+3", "e+3"]


def test_a_step_is_never_sent_after_a_later_one() -> None:
    sim = simulation()
    sim.decided.add(reminder_key("CN", "H-LAPVO", "d-3"))  # sent, and d-7 somehow undecided
    sim.at(local(12, 7, 9))
    assert sim.of("H-LAPVO") == []
    more = SHIPPED.model_copy(update={"reminders": ReminderPolicy(before_days=[7, 5, 3, 1, 0])})
    sim.campaign = more  # a step added to the policy after the later one went out
    sim.at(local(12, 7, 10))
    assert sim.of("H-LAPVO") == []


def test_a_unit_with_nobody_registered_is_reported_not_pretended_sent() -> None:
    units = [UnitState("H-LAPVO", "Huyện Lấp Vò", "district", "CUM1")]
    planned = plan(SHIPPED, units, {}, set(), [SECRETARIAT], local(12, 3, 8))
    assert planned.reminders == [] and [(r.period.code, r.unit.code) for r in planned.unreachable] == [
        ("CN", "H-LAPVO")
    ]
    assert planned.sent == [] and planned.skipped == [reminder_key("CN", "H-LAPVO", "d-7")]


def test_a_secretary_who_is_also_on_the_council_gets_the_whole_list_once() -> None:
    both = Recipient(900, "telegram", "900", "vi")
    units = [
        UnitState("H-LAPVO", "Huyện Lấp Vò", "district", "CUM1", (rep(1),), council=(both,)),
        UnitState("H-TANHONG", "Huyện Tân Hồng", "district", "CUM2", (rep(2),)),
    ]
    planned = plan(SHIPPED, units, {}, set(), [both], local(12, 13, 8))
    [escalation] = [e for e in planned.escalations if e.period.code == "CN"]
    assert escalation.recipient == both and [u.code for u in escalation.late_units] == ["H-LAPVO", "H-TANHONG"]


@pytest.mark.parametrize(
    "values",
    [{"before_days": [7, 7]}, {"overdue_days": [0]}, {"escalate_days": [-1]}, {"send_at": "25:00"}, {"every": 1}],
)
def test_a_policy_that_makes_no_sense_is_refused(values: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ReminderPolicy.model_validate(values)


def test_quiet_hours_across_midnight_and_none_at_all() -> None:
    policy = ReminderPolicy()
    assert policy.is_quiet(dt.time(21, 0)) and policy.is_quiet(dt.time(6, 59)) and not policy.is_quiet(dt.time(7, 0))
    evening = dt.datetime(2026, 12, 3, 22, 0, tzinfo=TZ)
    assert policy.deliverable(evening) == dt.datetime(2026, 12, 4, 7, 0, tzinfo=TZ)
    early = dt.datetime(2026, 12, 4, 5, 0, tzinfo=TZ)
    assert policy.deliverable(early) == dt.datetime(2026, 12, 4, 7, 0, tzinfo=TZ)
    always = ReminderPolicy(quiet_start=dt.time(0, 0), quiet_end=dt.time(0, 0))
    assert not always.is_quiet(dt.time(3, 0))
