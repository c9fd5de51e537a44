"""/thongbao: the secretariat writes an announcement, picks who gets it, sees how many people that is,
and sends it through the outbox."""

from __future__ import annotations

from typing import Any, ClassVar

from bot.conversation.session import Session
from bot.domain.announcement import TEXT_MAX, TEXT_MIN, Audience
from bot.domain.policy import Action
from bot.domain.text import shorten
from bot.engine.context import Context
from bot.handlers.announce_send import audience_name, send_announcement
from bot.handlers.flow import Flow, Outcome, Step
from bot.handlers.pick_step import PickOne
from bot.handlers.text_step import BoundedText, TextRule
from bot.handlers.unit_lookup import UnitSearch

TEXT = TextRule(TEXT_MIN, TEXT_MAX, "announce.text.too_short", "announce.text.too_long")
UNIT = UnitSearch(
    "unit",
    "announce.unit.question",
    "nominate.unit",
    applies=lambda session: session.data.get("audience") == Audience.UNIT.value,
    then=lambda ctx: _count(ctx),
)


def _target(data: dict[str, Any]) -> tuple[Audience, str | None] | None:
    """The audience as answered so far, or None while its group or unit is still to be picked."""
    audience = data.get("audience")
    if audience == Audience.ALL.value:
        return Audience.ALL, None
    if audience == Audience.GROUP.value and "group" in data:
        return Audience.GROUP, str(data["group"])
    if audience == Audience.UNIT.value and "unit" in data:
        return Audience.UNIT, str(data["unit"])
    return None


async def _count(ctx: Context) -> None:
    """How many people the audience reaches now, kept for the summary (which cannot ask the database)."""
    target = _target(ctx.session.data)
    if target is not None:
        ctx.session.facts["recipients"] = len(await ctx.repos.announcements.recipients(*target))


async def _counted(ctx: Context, value: str) -> Outcome:
    await _count(ctx)
    return Outcome.NEXT


def _group_typed(ctx: Context, typed: str) -> str | None:
    """A group's code typed rather than picked."""
    return next((g.code for g in ctx.campaign.groups if g.code.upper() == typed.strip().upper()), None)


def _for_group(session: Session) -> bool:
    return session.data.get("audience") == Audience.GROUP.value


class AnnounceFlow(Flow):
    name = "announce"
    action = Action.ANNOUNCE
    steps: ClassVar[list[Step]] = [
        BoundedText("text", "announce.text.question", TEXT, shown_prefix="\n"),
        PickOne(
            "audience",
            "announce.audience.question",
            lambda ctx: [(a.value, ctx.t(f"announce.audience.{a.value}")) for a in Audience],
            then=_counted,
        ),
        PickOne(
            "group",
            "announce.group.question",
            lambda ctx: [(group.code, group.name.get(ctx.lang)) for group in ctx.campaign.groups],
            applies=_for_group,
            typed=_group_typed,
            then=_counted,
        ),
        UNIT,
    ]
    columns: ClassVar[dict[str, int]] = {"group": 2}

    def summary_header(self, ctx: Context) -> list[str]:
        count = ctx.session.facts.get("recipients")
        return [ctx.t("announce.preview", count=count)] if count is not None else []

    async def submit(self, ctx: Context) -> None:
        data = ctx.session.data
        target = _target(data)
        if target is None:
            ctx.session.editing = True
            self._go(ctx, "audience")
            return
        audience, code = target
        if audience is Audience.UNIT and await ctx.repos.units.get(code or "") is None:
            self._go(ctx, UNIT.key)
            return
        # Counted again now: people may have registered or left since the preview.
        if not await ctx.repos.announcements.recipients(audience, code):
            ctx.session.facts["recipients"] = 0
            ctx.say(ctx.t("announce.nobody"))
            self.prompt(ctx)
            return
        sent = await send_announcement(
            ctx.repos,
            ctx.services,
            author=ctx.user,
            channel=ctx.user.channel,
            audience=audience,
            target=code,
            text=str(data["text"]),
            now=ctx.now,
        )
        ctx.session.clear()
        name = audience_name(
            ctx.services.catalog, ctx.lang, ctx.campaign, audience, UNIT.picked_name(ctx.session) or code
        )
        ctx.say(ctx.t("announce.sent", count=sent.recipients, audience=name, text=shorten(sent.text, 80)))
