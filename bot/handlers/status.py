"""/tinhtrang: where reporting stands, as far as this person's role reaches."""

from __future__ import annotations

import datetime as dt

from bot.domain.campaign import ReportingPeriod
from bot.domain.policy import Grant, Role, represented_units
from bot.domain.units import Unit
from bot.engine.context import Context
from bot.storage.reports import ReportRepo
from bot.storage.units import UnitRepo

LIST_AT_MOST = 15


def _open(ctx: Context, today: dt.date) -> list[ReportingPeriod]:
    return [p for p in ctx.campaign.reporting_periods if p.opens <= today <= p.last_day]


def _owes(period: ReportingPeriod, unit: Unit) -> bool:
    return unit.active and period.owed_by.includes(unit.code, unit.kind, unit.group)


async def status(ctx: Context) -> None:
    grants = await ctx.grants()
    roles = {g.role for g in grants}
    today = ctx.now.astimezone(ctx.campaign.campaign.tz).date()
    periods = _open(ctx, today)
    if not periods:
        ctx.say(ctx.t("status.no_open_period"))
        return
    units = await UnitRepo(ctx.conn).active()
    if roles & {Role.SECRETARIAT, Role.ADMIN}:
        await _province(ctx, periods, units)
    elif Role.COUNCIL in roles:
        await _council(ctx, periods, units, grants)
    else:
        await _representative(ctx, periods, units, grants, today)


async def _representative(
    ctx: Context, periods: list[ReportingPeriod], units: list[Unit], grants: list[Grant], today: dt.date
) -> None:
    mine = [u for u in units if u.code in represented_units(grants)]
    repo = ReportRepo(ctx.conn)
    tz = ctx.campaign.campaign.tz
    lines = [ctx.t("status.rep_title")]
    for unit in mine:
        lines += ["", f"🏢 {unit.name}"]
        for period in (p for p in periods if _owes(p, unit)):
            latest = await repo.latest(period.code, unit.code)
            deadline = period.deadline.strftime("%d/%m/%Y")
            if latest is not None:
                when = latest.submitted_at.astimezone(tz).strftime("%H:%M %d/%m/%Y")
                key = "status.rep_sent_late" if latest.late else "status.rep_sent"
                lines.append(ctx.t(key, period=period.name.get(ctx.lang), version=latest.version, when=when))
            elif today > period.deadline:
                lines.append(ctx.t("status.rep_overdue", period=period.name.get(ctx.lang), deadline=deadline))
            else:
                days = (period.deadline - today).days
                lines.append(ctx.t("status.rep_due", period=period.name.get(ctx.lang), deadline=deadline, days=days))
    ctx.say("\n".join(lines))


async def _council(ctx: Context, periods: list[ReportingPeriod], units: list[Unit], grants: list[Grant]) -> None:
    unit_codes = {g.unit_code for g in grants if g.role is Role.COUNCIL and g.unit_code}
    group_codes = {g.group_code for g in grants if g.role is Role.COUNCIL and g.group_code}
    mine = [u for u in units if u.code in unit_codes or (u.group is not None and u.group in group_codes)]
    lines = [ctx.t("status.council_title", count=len(mine))]
    for period in periods:
        done = await ReportRepo(ctx.conn).latest_by_unit(period.code)
        owing = [u for u in mine if _owes(period, u)]
        missing = [u.name for u in owing if u.code not in done]
        lines += [
            "",
            f"📅 {period.name.get(ctx.lang)}",
            ctx.t("status.count", sent=len(owing) - len(missing), total=len(owing)),
        ]
        if missing:
            lines.append(ctx.t("status.missing", units=_names(ctx, missing)))
    ctx.say("\n".join(lines))


async def _province(ctx: Context, periods: list[ReportingPeriod], units: list[Unit]) -> None:
    lines = [ctx.t("status.province_title")]
    no_group = ctx.t("status.no_group")
    for period in periods:
        done = await ReportRepo(ctx.conn).latest_by_unit(period.code)
        owing = [u for u in units if _owes(period, u)]
        late = sum(1 for u in owing if u.code in done and done[u.code][2])
        deadline = ctx.t("status.deadline", deadline=period.deadline.strftime("%d/%m/%Y"))
        lines += [
            "",
            f"📅 {period.name.get(ctx.lang)} — {deadline}",
            ctx.t("status.count", sent=sum(1 for u in owing if u.code in done), total=len(owing))
            + (ctx.t("status.late_count", late=late) if late else ""),
        ]
        by_group: dict[str, list[Unit]] = {}
        for unit in owing:
            by_group.setdefault(unit.group or "", []).append(unit)
        for group_code in sorted(by_group):
            members = by_group[group_code]
            group = ctx.campaign.group(group_code)
            name = group.name.get(ctx.lang) if group else no_group
            missing = [u.name for u in members if u.code not in done]
            line = f"• {name}: {len(members) - len(missing)}/{len(members)}"
            if missing:
                line += " — " + ctx.t("status.missing", units=_names(ctx, missing))
            lines.append(line)
    ctx.say("\n".join(lines))


def _names(ctx: Context, names: list[str]) -> str:
    if len(names) <= LIST_AT_MOST:
        return ", ".join(names)
    return ", ".join(names[:LIST_AT_MOST]) + " " + ctx.t("status.and_more", count=len(names) - LIST_AT_MOST)
