"""Where a split unit's open items go: the question each secretariat member is asked, with one button per
successor."""

from __future__ import annotations

import datetime as dt

from bot.conversation.buttons import SplitButton
from bot.conversation.messages import Choice, Reply
from bot.domain.successions import Split
from bot.engine.context import Services
from bot.storage.repos import Repos

OUTBOX_KIND = "split"


async def unit_names(repos: Repos) -> dict[str, str]:
    return {u.code: u.name for u in await repos.units.all()}


def split_question(services: Services, lang: str, split: Split, names: dict[str, str]) -> Reply:
    successors = [names.get(code, code) for code in split.successors]
    text = services.catalog.t(lang, "split.question", unit=split.unit.name, successors=", ".join(successors))
    choices = tuple(
        Choice(label=names.get(code, code), value=SplitButton(old=split.unit.code, new=code).pack())
        for code in split.successors
    )
    return Reply(text=text, choices=choices)


async def ask_secretariat(repos: Repos, services: Services, pending: list[Split], now: dt.datetime) -> None:
    """Each secretariat member is asked once per split unit (the outbox key makes a restart ask nobody
    twice)."""
    if not pending:
        return
    names = await unit_names(repos)
    for user in await repos.roles.secretariat_users():
        for split in pending:
            await repos.outbox.enqueue(
                f"split:{split.unit.code}:{user.id}",
                user.channel,
                user.chat_id,
                split_question(services, user.lang, split, names),
                OUTBOX_KIND,
                now,
                user_id=user.id,
            )
