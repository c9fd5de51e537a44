"""A digest's content, read from the database once, then written out in each reader's language.

New nominations and reports are those of the window (start, end]; where reporting stands (late units,
counts per cluster/block) is as it was at the window's end, which a digest caught up after downtime can
still tell from the reports' times. The review queue has no history to replay, so it is shown as it is
when the digest is written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from bot.digests.chart import ChartSpec, panel
from bot.domain.campaign import Campaign
from bot.domain.digest import DigestKind
from bot.domain.nomination import NominationStatus
from bot.domain.review import OPEN
from bot.domain.standing import PeriodStanding, standing
from bot.i18n import Catalog
from bot.storage.digests import Activity
from bot.storage.repos import Repos

# How many of each kind of item a digest lists by name; the counts always cover them all.
LISTED = 10
# Late units named per cluster/block and period: enough to follow up, not a wall of names for a province.
LATE_NAMED = 30
# A digest written this long after its window ended says it was caught up.
CATCH_UP_NOTE = dt.timedelta(minutes=30)


class Waiting(BaseModel):
    reference: str
    nominee_name: str
    unit_code: str
    status: NominationStatus
    since: dt.datetime


class DigestData(BaseModel):
    """What one digest says, in no language yet. `kind` is None for one asked for with /tonghop."""

    kind: DigestKind | None
    start: dt.datetime
    end: dt.datetime
    written_at: dt.datetime
    activity: Activity
    pending_counts: dict[NominationStatus, int]
    pending: list[Waiting]
    standings: list[PeriodStanding]
    unit_names: dict[str, str]

    @property
    def pending_total(self) -> int:
        return sum(self.pending_counts.values())


async def gather(
    repos: Repos,
    campaign: Campaign,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    kind: DigestKind | None,
) -> DigestData:
    repo = repos.digests
    units = await repos.units.active_refs()
    today = end.astimezone(campaign.campaign.tz).date()
    periods = [p for p in campaign.reporting_periods if p.accepts_on(today)]
    reported = await repo.reported_by([p.code for p in periods], end)
    order = [g.code for g in campaign.groups]
    review = repos.review
    pending = await review.pending(LISTED)
    return DigestData(
        kind=kind,
        start=start,
        end=end,
        written_at=now,
        activity=await repo.activity(start, end, LISTED),
        pending_counts=await review.pending_counts(),
        pending=[
            Waiting(
                reference=s.reference,
                nominee_name=s.nomination.nominee_name,
                unit_code=s.nomination.unit_code,
                status=s.status,
                since=s.status_since,
            )
            for s in pending
        ],
        standings=[standing(p, units, reported[p.code], today, order) for p in periods],
        unit_names=await repos.units.display_names(),
    )


class Writer:
    """Writes a digest in one language."""

    def __init__(self, campaign: Campaign, catalog: Catalog, lang: str) -> None:
        self.campaign = campaign
        self.catalog = catalog
        self.lang = lang
        self.tz = campaign.campaign.tz

    def t(self, key: str, **values: Any) -> str:
        return self.catalog.t(self.lang, key, **values)

    def when(self, moment: dt.datetime) -> str:
        return moment.astimezone(self.tz).strftime("%H:%M %d/%m/%Y")

    def unit(self, data: DigestData, code: str) -> str:
        return data.unit_names.get(code) or code

    def group(self, code: str) -> str:
        group = self.campaign.group(code) if code else None
        return group.name.get(self.lang) if group else (code or self.t("digest.no_group"))

    def period(self, code: str) -> str:
        period = self.campaign.period(code)
        return period.name.get(self.lang) if period else code

    def age(self, since: dt.datetime, at: dt.datetime) -> str:
        seconds = max(0.0, (at - since).total_seconds())
        if seconds >= 86400:
            return self.t("digest.age.days", count=int(seconds // 86400))
        if seconds >= 3600:
            return self.t("digest.age.hours", count=int(seconds // 3600))
        return self.t("digest.age.fresh")

    def text(self, data: DigestData) -> str:
        sections = [
            self._header(data),
            self._nominations(data),
            self._reports(data),
            self._review(data),
            *self._late(data),
            *self._standing(data),
        ]
        return "\n\n".join("\n".join(lines) for lines in sections if lines)

    def chart(self, data: DigestData) -> ChartSpec | None:
        """The chart of the open periods as they stood at the digest's end; None if none is open."""
        if not data.standings:
            return None
        names = {g.group: self.group(g.group) for found in data.standings for g in found.groups}
        return ChartSpec(
            title=self.t("digest.chart.title", when=self.when(data.end)),
            legend=(self.t("digest.chart.on_time"), self.t("digest.chart.late"), self.t("digest.chart.missing")),
            axis=self.t("digest.chart.axis"),
            panels=[panel(self._panel_title(found), found, names) for found in data.standings],
        )

    def _panel_title(self, found: PeriodStanding) -> str:
        deadline = self.t("digest.chart.deadline", deadline=found.deadline.strftime("%d/%m/%Y"))
        return f"{self.period(found.period)} ({deadline})"

    def caption(self, data: DigestData) -> str:
        return self.t("digest.chart.caption", when=self.when(data.end))

    def _header(self, data: DigestData) -> list[str]:
        kind = data.kind.value if data.kind else "now"
        lines = [
            self.t(f"digest.title.{kind}", when=self.when(data.end)),
            self.t("digest.window", start=self.when(data.start), end=self.when(data.end)),
        ]
        if data.written_at - data.end > CATCH_UP_NOTE:
            lines.append(self.t("digest.caught_up", when=self.when(data.written_at)))
        return lines

    def _more(self, total: int, shown: int) -> list[str]:
        return [self.t("digest.more", count=total - shown)] if total > shown else []

    def _nominations(self, data: DigestData) -> list[str]:
        activity = data.activity
        if not activity.nominations:
            return [self.t("digest.nominations.none")]
        lines = [self.t("digest.nominations.title", count=activity.nominations)]
        for item in activity.nomination_list:
            category = self.campaign.category(item.category_code)
            lines.append(
                self.t(
                    "digest.nominations.item",
                    reference=item.reference,
                    name=item.nominee_name,
                    unit=self.unit(data, item.unit_code),
                    category=category.name.get(self.lang) if category else item.category_code,
                )
            )
        return lines + self._more(activity.nominations, len(activity.nomination_list))

    def _reports(self, data: DigestData) -> list[str]:
        activity = data.activity
        if not activity.reports:
            return [self.t("digest.reports.none")]
        title = self.t("digest.reports.title", count=activity.reports)
        notes = []
        if activity.reports_late:
            notes.append(self.t("digest.reports.late", count=activity.reports_late))
        if activity.amendments:
            notes.append(self.t("digest.reports.amendments", count=activity.amendments))
        lines = [f"{title} ({', '.join(notes)})" if notes else title]
        for item in activity.report_list:
            lines.append(
                self.t(
                    "digest.reports.item_late" if item.late else "digest.reports.item",
                    unit=self.unit(data, item.unit_code),
                    period=self.period(item.period_code),
                    version=item.version,
                )
            )
        return lines + self._more(activity.reports, len(activity.report_list))

    def _review(self, data: DigestData) -> list[str]:
        if not data.pending_total:
            return [self.t("digest.review.none")]
        counts = ", ".join(
            self.t(f"digest.queue.{s.value}", count=data.pending_counts[s])
            for s in sorted(OPEN, key=list(NominationStatus).index)
            if data.pending_counts.get(s)
        )
        lines = [self.t("digest.review.title", count=data.pending_total, counts=counts)]
        for item in data.pending:
            lines.append(
                self.t(
                    "digest.review.item",
                    reference=item.reference,
                    name=item.nominee_name,
                    unit=self.unit(data, item.unit_code),
                    status=self.t(f"digest.state.{item.status.value}"),
                    age=self.age(item.since, data.written_at),
                )
            )
        return lines + self._more(data.pending_total, len(data.pending)) + [self.t("digest.review.all")]

    def _names(self, names: list[str]) -> str:
        shown = ", ".join(names[:LATE_NAMED])
        if len(names) > LATE_NAMED:
            shown += " " + self.t("digest.and_more", count=len(names) - LATE_NAMED)
        return shown

    def _late(self, data: DigestData) -> list[list[str]]:
        overdue = [s for s in data.standings if s.overdue and s.missing]
        if not overdue:
            return [[self.t("digest.late.none")]]
        sections = []
        for found in overdue:
            lines = [
                self.t(
                    "digest.late.period",
                    period=self.period(found.period),
                    deadline=found.deadline.strftime("%d/%m/%Y"),
                    count=found.missing,
                )
            ]
            lines += [f"{self.group(g.group)}: {self._names(g.missing)}" for g in found.groups if g.missing]
            sections.append(lines)
        return sections

    def _standing(self, data: DigestData) -> list[list[str]]:
        if not data.standings:
            return [[self.t("digest.standing.none")]]
        sections = []
        for found in data.standings:
            lines = [
                self.t(
                    "digest.standing.period",
                    period=self.period(found.period),
                    deadline=found.deadline.strftime("%d/%m/%Y"),
                    sent=found.sent,
                    owing=found.owing,
                    late=found.late,
                )
            ]
            for g in found.groups:
                key = "digest.standing.group_late" if g.late else "digest.standing.group"
                lines.append(self.t(key, group=self.group(g.group), sent=g.sent, owing=g.owing, late=g.late))
            sections.append(lines)
        return sections
