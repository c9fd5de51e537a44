"""/tinhtrang: where reporting stands, as far as this person's roles reach.

A representative sees the open periods of their units and what was sent; a council member sees which of
the units in their charge have and have not reported; the secretariat sees the province by cluster/block.
Someone holding several roles sees each of their views.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Sequence

from bot.domain.campaign import ReportingPeriod
from bot.domain.policy import Action
from bot.domain.roles import Grant, in_charge, represented_units
from bot.domain.units import ActiveUnits, UnitRef, group_codes
from bot.engine.context import Context
from bot.handlers.refusal import refuse

LIST_AT_MOST = 15


def _open(ctx: Context, today: dt.date) -> list[ReportingPeriod]:
    return [p for p in ctx.campaign.reporting_periods if p.accepts_on(today)]


async def status(ctx: Context) -> None:
    today = ctx.now.astimezone(ctx.campaign.campaign.tz).date()
    periods = _open(ctx, today)
    if not periods:
        ctx.say(ctx.t("status.no_open_period"))
        return
    grants = await ctx.grants()
    active = await ctx.repos.units.active_units()
    sections: list[str] = []
    if await ctx.may(Action.STATUS_PROVINCE):
        sections.append(await _province(ctx, periods, active))
    elif await ctx.may(Action.STATUS_IN_CHARGE):
        sections.append(await _in_charge(ctx, periods, active.refs, grants))
    if await ctx.may(Action.STATUS_OWN_UNITS):
        sections.append(await _own_units(ctx, periods, active.refs, grants, today))
    if not sections:
        refuse(ctx, Action.STATUS)
        return
    ctx.say("\n\n".join(sections))


async def _own_units(
    ctx: Context, periods: list[ReportingPeriod], units: Sequence[UnitRef], grants: list[Grant], today: dt.date
) -> str:
    codes = set(represented_units(grants))
    mine = [u for u in units if u.code in codes]
    tz = ctx.campaign.campaign.tz
    history = await ctx.repos.reports.submissions([p.code for p in periods], [u.code for u in mine])
    lines = [ctx.t("status.rep_title")]
    for unit in mine:
        lines += ["", f"🏢 {unit.name}"]
        owed = [p for p in periods if p.owes(unit)]
        if not owed:
            lines.append(ctx.t("status.rep_nothing_owed"))
        for period in owed:
            name = period.name.get(ctx.lang)
            deadline = period.deadline.strftime("%d/%m/%Y")
            sent = [s for s in history if s.period_code == period.code and s.unit_code == unit.code]
            if sent:
                latest = sent[-1]
                when = latest.submitted_at.astimezone(tz).strftime("%H:%M %d/%m/%Y")
                key = "status.rep_sent_late" if latest.late else "status.rep_sent"
                lines.append(ctx.t(key, period=name, version=latest.version, when=when, reference=latest.reference))
                if len(sent) > 1:
                    earlier = ", ".join(
                        f"v{s.version} {s.submitted_at.astimezone(tz).strftime('%H:%M %d/%m')}" for s in sent[:-1]
                    )
                    lines.append(ctx.t("status.rep_earlier", versions=earlier))
            elif today > period.deadline:
                lines.append(ctx.t("status.rep_overdue", period=name, deadline=deadline))
            else:
                days = (period.deadline - today).days
                lines.append(ctx.t("status.rep_due", period=name, deadline=deadline, days=days))
    return "\n".join(lines)


async def _in_charge(
    ctx: Context, periods: list[ReportingPeriod], units: Sequence[UnitRef], grants: list[Grant]
) -> str:
    mine = [u for u in units if in_charge(grants, u.code, u.group)]
    reported = await ctx.repos.reports.reported([p.code for p in periods])
    lines = [ctx.t("status.council_title", count=len(mine))]
    for period in periods:
        done = reported.get(period.code, {})
        owing = period.owing(mine)
        missing = [u.name for u in owing if u.code not in done]
        deadline = ctx.t("status.deadline", deadline=period.deadline.strftime("%d/%m/%Y"))
        lines += [
            "",
            f"📅 {period.name.get(ctx.lang)} — {deadline}",
            ctx.t("status.count", sent=len(owing) - len(missing), total=len(owing)),
        ]
        if missing:
            lines.append(ctx.t("status.missing", units=_names(ctx, missing)))
    return "\n".join(lines)


async def _province(ctx: Context, periods: list[ReportingPeriod], active: ActiveUnits) -> str:
    reported = await ctx.repos.reports.sent_and_late([p.code for p in periods])
    order = {g.code: i for i, g in enumerate(ctx.campaign.groups)}
    lines = [ctx.t("status.province_title")]
    names = active.names
    for period in periods:
        sent_codes, late_codes = reported.get(period.code, (set(), set()))
        # Per cluster/block, who owes and who is missing, by set operations on the units' codes: a province's
        # thousands of units are never looped over in Python once per period.
        groups = active.by_group if period.owed_by.everyone else group_codes(period.owing(active.refs))
        missing = {group: codes - sent_codes for group, codes in groups.items()}
        owing = sum(len(codes) for codes in groups.values())
        sent = owing - sum(len(absent) for absent in missing.values())
        late = sum(len(late_codes & codes) for codes in groups.values())
        deadline = ctx.t("status.deadline", deadline=period.deadline.strftime("%d/%m/%Y"))
        lines += [
            "",
            f"📅 {period.name.get(ctx.lang)} — {deadline}",
            ctx.t("status.count", sent=sent, total=owing) + (ctx.t("status.late_count", late=late) if late else ""),
        ]
        # Clusters and blocks in the campaign's order; units in none, then groups it no longer lists, last.
        for code in sorted(groups, key=lambda c: (c == "", order.get(c, len(order)), c)):
            group_config = ctx.campaign.group(code) if code else None
            name = group_config.name.get(ctx.lang) if group_config else (code or ctx.t("status.no_group"))
            owed, absent = len(groups[code]), missing[code]
            line = f"• {name}: {owed - len(absent)}/{owed}"
            if absent:
                # The first few by code, as the units are listed elsewhere; the rest are counted.
                first = [names[c] for c in heapq.nsmallest(LIST_AT_MOST, absent)]
                line += " — " + ctx.t("status.missing", units=_first_names(ctx, first, len(absent)))
            lines.append(line)
    return "\n".join(lines)


def _first_names(ctx: Context, first: list[str], count: int) -> str:
    if count <= len(first):
        return ", ".join(first)
    return ", ".join(first) + " " + ctx.t("status.and_more", count=count - len(first))


def _names(ctx: Context, names: list[str]) -> str:
    if len(names) <= LIST_AT_MOST:
        return ", ".join(names)
    return ", ".join(names[:LIST_AT_MOST]) + " " + ctx.t("status.and_more", count=len(names) - LIST_AT_MOST)
