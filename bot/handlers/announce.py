"""/thongbao: the secretariat writes an announcement, picks who gets it, sees how many people that is,
and sends it through the outbox."""

from __future__ import annotations

from typing import Any, ClassVar

from bot.conversation.messages import Choice, Kind
from bot.domain.announcement import TEXT_MAX, TEXT_MIN, Audience
from bot.domain.policy import Action
from bot.domain.text import normalize_text, shorten
from bot.engine.context import Context
from bot.handlers.announce_send import audience_name, send_announcement
from bot.handlers.flow import Flow, Outcome, Step
from bot.handlers.nominate import UnitStep
from bot.storage.announcements import AnnouncementRepo
from bot.storage.units import UnitRepo


def _need_choice(ctx: Context) -> Outcome:
    ctx.say(ctx.t("input.pick_choice"))
    return Outcome.REASK


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
        ctx.session.data["_recipients"] = len(await AnnouncementRepo(ctx.conn).recipients(*target))


class TextStep(Step):
    key = "text"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t("announce.text.question", min=TEXT_MIN, max=TEXT_MAX), []

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        text = normalize_text(ctx.incoming.text or "") if ctx.incoming.kind is Kind.TEXT else ""
        if len(text) < TEXT_MIN:
            ctx.say(ctx.t("announce.text.too_short", min=TEXT_MIN, length=len(text)))
            return Outcome.REASK
        if len(text) > TEXT_MAX:
            ctx.say(ctx.t("announce.text.too_long", max=TEXT_MAX, length=len(text)))
            return Outcome.REASK
        ctx.session.data[self.key] = text
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return "\n" + str(ctx.session.data[self.key])


class AudienceStep(Step):
    key = "audience"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t("announce.audience.question"), [
            Choice(label=ctx.t(f"announce.audience.{a.value}"), value=flow.value(self.key, a.value)) for a in Audience
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        if value not in {a.value for a in Audience}:
            return _need_choice(ctx)
        ctx.session.data[self.key] = value
        await _count(ctx)
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        return ctx.t(f"announce.audience.{ctx.session.data[self.key]}")


class GroupStep(Step):
    key = "group"

    def applies(self, data: dict[str, Any]) -> bool:
        return data.get("audience") == Audience.GROUP.value

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        return ctx.t("announce.group.question"), [
            Choice(label=group.name.get(ctx.lang), value=flow.value(self.key, group.code))
            for group in ctx.campaign.groups
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        if value is None and ctx.incoming.kind is Kind.TEXT:
            typed = (ctx.incoming.text or "").strip().upper()
            value = next((g.code for g in ctx.campaign.groups if g.code.upper() == typed), None)
        if value is None or ctx.campaign.group(value) is None:
            return _need_choice(ctx)
        ctx.session.data[self.key] = value
        await _count(ctx)
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        group = ctx.campaign.group(str(ctx.session.data[self.key]))
        return group.name.get(ctx.lang) if group else str(ctx.session.data[self.key])


class AnnounceUnitStep(UnitStep):
    """The same search as a nomination's unit, asked in the announcement's words."""

    def applies(self, data: dict[str, Any]) -> bool:
        return data.get("audience") == Audience.UNIT.value

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        text, choices = super().question(ctx, flow)
        return (text, choices) if choices else (ctx.t("announce.unit.question"), [])

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        outcome = await super().answer(ctx, flow, value)
        if outcome is Outcome.NEXT:
            await _count(ctx)
        return outcome


class AnnounceFlow(Flow):
    name = "announce"
    action = Action.ANNOUNCE
    steps: ClassVar[list[Step]] = [TextStep(), AudienceStep(), GroupStep(), AnnounceUnitStep()]
    columns: ClassVar[dict[str, int]] = {"group": 2}

    def summary_header(self, ctx: Context) -> list[str]:
        count = ctx.session.data.get("_recipients")
        return [ctx.t("announce.preview", count=count)] if count is not None else []

    async def submit(self, ctx: Context) -> None:
        data = ctx.session.data
        missing = next((s for s in self.applicable(ctx) if not s.answered(data)), None)
        target = _target(data)
        if missing is not None or target is None:
            ctx.session.editing = True
            self._go(ctx, missing.key if missing is not None else AudienceStep.key)
            return
        audience, code = target
        if audience is Audience.UNIT and await UnitRepo(ctx.conn).get(code or "") is None:
            self._go(ctx, AnnounceUnitStep.key)
            return
        # Counted again now: people may have registered or left since the preview.
        if not await AnnouncementRepo(ctx.conn).recipients(audience, code):
            data["_recipients"] = 0
            ctx.say(ctx.t("announce.nobody"))
            self.prompt(ctx)
            return
        sent = await send_announcement(
            ctx.conn,
            ctx.services,
            author=ctx.user,
            channel=ctx.user.channel,
            audience=audience,
            target=code,
            text=str(data["text"]),
            now=ctx.now,
        )
        ctx.session.clear()
        name = audience_name(ctx.services.catalog, ctx.lang, ctx.campaign, audience, data.get("_unit_name") or code)
        ctx.say(ctx.t("announce.sent", count=sent.recipients, audience=name, text=shorten(sent.text, 80)))
