"""A unit split between successors asks the secretariat where its open items go: the question is sent
through the outbox when the succession table is read, /tachdonvi (/split) asks it again, and a press of
one successor's button records the decision and merges the unit into it."""

from __future__ import annotations

import datetime as dt

from bot.domain.policy import Action
from bot.domain.successions import Split
from bot.engine.context import Context, Services
from bot.engine.messages import Choice, Reply
from bot.handlers.refusal import insist
from bot.storage.database import Connection
from bot.storage.outbox import OutboxRepo
from bot.storage.roles import RoleRepo
from bot.storage.successions import SuccessionRepo
from bot.storage.units import UnitRepo

PREFIX = "split:"
OUTBOX_KIND = "split"


def _value(old: str, new: str) -> str:
    return f"{PREFIX}{old}:{new}"


async def _names(conn: Connection) -> dict[str, str]:
    return {u.code: u.name for u in await UnitRepo(conn).all()}


def _question(services: Services, lang: str, split: Split, names: dict[str, str]) -> Reply:
    successors = [names.get(code, code) for code in split.successors]
    text = services.catalog.t(lang, "split.question", unit=split.unit.name, successors=", ".join(successors))
    choices = tuple(Choice(label=names.get(c, c), value=_value(split.unit.code, c)) for c in split.successors)
    return Reply(text=text, choices=choices)


async def ask_secretariat(conn: Connection, services: Services, pending: list[Split], now: dt.datetime) -> None:
    """Each secretariat member is asked once per split unit (the outbox key makes a restart ask nobody
    twice)."""
    if not pending:
        return
    names = await _names(conn)
    for user in await RoleRepo(conn).secretariat_users():
        for split in pending:
            await OutboxRepo(conn).enqueue(
                f"split:{split.unit.code}:{user.id}",
                user.channel,
                user.chat_id,
                _question(services, user.lang, split, names),
                OUTBOX_KIND,
                now,
                user_id=user.id,
            )


async def _pending(ctx: Context) -> list[Split]:
    today = ctx.now.astimezone(ctx.campaign.campaign.tz).date()
    repo = SuccessionRepo(ctx.conn)
    return await repo.pending(today)


async def list_splits(ctx: Context) -> None:
    pending = await _pending(ctx)
    if not pending:
        ctx.say(ctx.t("split.none"))
        return
    names = await _names(ctx.conn)
    for split in pending:
        question = _question(ctx.services, ctx.lang, split, names)
        ctx.say(question.text, question.choices)


async def split_button(ctx: Context) -> None:
    if not await insist(ctx, Action.MANAGE_UNITS):
        return
    old, _, new = (ctx.incoming.choice or "").removeprefix(PREFIX).partition(":")
    pending = {s.unit.code: s for s in await _pending(ctx)}
    names = await _names(ctx.conn)
    split = pending.get(old)
    if split is None:
        # Decided already (by someone else, or from the command line), or not a split at all.
        unit = await UnitRepo(ctx.conn).get(old)
        into = unit.merged_into if unit is not None else None
        ctx.say(ctx.t("split.already", unit=names.get(old, old), successor=names.get(into or "", into or "—")))
        return
    if new not in split.successors:
        ctx.say(ctx.t("split.not_a_successor", unit=split.unit.name))
        return
    repo = SuccessionRepo(ctx.conn)
    await repo.assign(old, new, ctx.user.id, ctx.now)
    await repo.apply(ctx.now.astimezone(ctx.campaign.campaign.tz).date(), ctx.now, "split")
    ctx.say(ctx.t("split.done", unit=split.unit.name, successor=names.get(new, new)))
