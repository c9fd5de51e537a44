"""/choduyet: what awaits the secretariat, longest waiting first, a page at a time, each item one press (or
its number) from its card; /xem NTVT-…: any nomination by its reference, for those allowed to see it."""

from __future__ import annotations

import datetime as dt
import re

from bot.conversation.buttons import QueueButton
from bot.conversation.messages import Choice
from bot.domain.nomination import NominationStatus
from bot.domain.policy import Action, may_view_nomination
from bot.domain.review import OPEN
from bot.domain.text import fold, shorten
from bot.engine.context import Context
from bot.handlers import mine
from bot.handlers.review import view as review_view
from bot.handlers.review_card import Press, value

PREFIX = QueueButton.prefix + ":"
PAGE = 8
DEED_SHOWN = 60
# A reference as typed on a phone: any case, spaces or dots for dashes, zeros left out ("ntvt 2026 3").
REFERENCE = re.compile(r"^\s*/?\s*ntvt[\s._-]*(\d{4})[\s._-]*(\d{1,6})\s*$", re.IGNORECASE)
# The words a status filter may be typed as (folded), Vietnamese first.
STATUS_WORDS: dict[str, NominationStatus] = {
    "moi": NominationStatus.SUBMITTED,
    "new": NominationStatus.SUBMITTED,
    "submitted": NominationStatus.SUBMITTED,
    "dangxet": NominationStatus.IN_REVIEW,
    "xet": NominationStatus.IN_REVIEW,
    "in_review": NominationStatus.IN_REVIEW,
    "reviewing": NominationStatus.IN_REVIEW,
    "bosung": NominationStatus.NEEDS_INFO,
    "chobosung": NominationStatus.NEEDS_INFO,
    "needs_info": NominationStatus.NEEDS_INFO,
    "info": NominationStatus.NEEDS_INFO,
}
STATUS_CODES = {
    NominationStatus.SUBMITTED: "moi",
    NominationStatus.IN_REVIEW: "dangxet",
    NominationStatus.NEEDS_INFO: "bosung",
}


def parse_reference(text: str) -> str | None:
    """`NTVT-2026-000003` from what was typed, or None when it is not a reference."""
    match = REFERENCE.match(text)
    if match is None:
        return None
    return f"NTVT-{match.group(1)}-{int(match.group(2)):06d}"


# -- the queue -------------------------------------------------------------------------------------------
async def show_queue(ctx: Context) -> None:
    status: NominationStatus | None = None
    group: str | None = None
    for word in ctx.incoming.args.split():
        folded = fold(word).replace(" ", "")
        if folded in STATUS_WORDS:
            status = STATUS_WORDS[folded]
        elif ctx.campaign.group(word.upper()) is not None:
            group = word.upper()
        else:
            groups = ", ".join(g.code for g in ctx.campaign.groups)
            ctx.say(ctx.t("queue.bad_filter", word=shorten(word, 30), groups=groups))
            return
    await _page(ctx, status, group, 0)


async def on_button(ctx: Context) -> None:
    """A page button: `q:<offset>:<status or ->:<group or ->`."""
    if not await ctx.may(Action.REVIEW):
        ctx.say(ctx.t("refused.review"))
        return
    button = QueueButton.unpack(ctx.incoming.choice or "")
    try:
        if button is None:
            raise ValueError("not a page button")
        status = None if button.status is None else NominationStatus(button.status)
    except ValueError:
        ctx.say(ctx.t("review.not_found"))
        return
    await _page(ctx, status, button.group, max(button.offset, 0))


def _page_value(offset: int, status: NominationStatus | None, group: str | None) -> str:
    return QueueButton(offset=offset, status=status.value if status else None, group=group).pack()


async def _page(ctx: Context, status: NominationStatus | None, group: str | None, offset: int) -> None:
    statuses = frozenset({status}) if status is not None else OPEN
    states, total = await ctx.repos.review.queue(statuses, group, offset, PAGE)
    where = _filter_words(ctx, status, group)
    if total == 0:
        ctx.say(ctx.t("queue.empty_filtered" if where else "queue.empty", filter=where))
        return
    if not states:  # a page button from before the queue got shorter
        offset = 0
        states, total = await ctx.repos.review.queue(statuses, group, offset, PAGE)
    units = ctx.repos.units
    names: dict[str, str] = {}
    lines = [ctx.t("queue.title", count=total, filter=f" ({where})" if where else "")]
    choices: list[Choice] = []
    for number, state in enumerate(states, start=offset + 1):
        n = state.nomination
        if n.unit_code not in names:
            unit = await units.get(n.unit_code)
            names[n.unit_code] = unit.name if unit else n.unit_code
        lines.append(
            ctx.t(
                "queue.item",
                number=number,
                reference=n.reference,
                age=age(ctx, state.status_since),
                unit=names[n.unit_code],
                name=n.nominee_name,
                status=ctx.t(f"digest.state.{state.status.value}"),
                deed=shorten(" ".join(n.deed.split()), DEED_SHOWN),
            )
        )
        choices.append(Choice(label=ctx.t("queue.open", reference=n.reference), value=value("view", n.id)))
    if offset + len(states) < total:
        following = min(PAGE, total - offset - len(states))
        choices.append(
            Choice(label=ctx.t("queue.next", count=following), value=_page_value(offset + PAGE, status, group))
        )
    if offset > 0:
        choices.append(Choice(label=ctx.t("queue.first"), value=_page_value(0, status, group)))
    lines += ["", ctx.t("queue.hint")]
    if not where:
        lines.append(ctx.t("queue.filters", groups=", ".join(g.code for g in ctx.campaign.groups[:3])))
    ctx.say("\n".join(lines), choices)


def _filter_words(ctx: Context, status: NominationStatus | None, group: str | None) -> str:
    words = []
    if status is not None:
        words.append(ctx.t(f"digest.state.{status.value}"))
    if group is not None:
        found = ctx.campaign.group(group)
        words.append(found.name.get(ctx.lang) if found else group)
    return ", ".join(words)


def age(ctx: Context, since: dt.datetime) -> str:
    seconds = max((ctx.now - since).total_seconds(), 0)
    if seconds >= 86400:
        return ctx.t("digest.age.days", count=int(seconds // 86400))
    if seconds >= 3600:
        return ctx.t("digest.age.hours", count=int(seconds // 3600))
    return ctx.t("digest.age.fresh")


# -- by reference ----------------------------------------------------------------------------------------
async def view_by_reference(ctx: Context) -> None:
    """/xem NTVT-2026-000003, or the reference typed alone."""
    typed = ctx.incoming.args.strip() or (ctx.incoming.text or "")
    if not typed or typed.startswith("/"):
        ctx.say(ctx.t("queue.view_usage"))
        return
    reference = parse_reference(typed)
    if reference is None:
        ctx.say(ctx.t("queue.not_a_reference", text=shorten(typed, 40)))
        return
    await open_reference(ctx, reference)


async def open_reference(ctx: Context, reference: str) -> None:
    nomination = await ctx.repos.nominations.by_reference(reference)
    own = nomination is not None and nomination.submitted_by == ctx.user.id
    # One answer for "no such nomination" and "not yours": a reference does not tell whether it exists.
    if nomination is None or not may_view_nomination(await ctx.roles(), own):
        ctx.say(ctx.t("queue.no_such", reference=reference))
        return
    if await ctx.may(Action.VIEW_NOMINATION):
        await review_view(ctx, Press("view", (str(nomination.id),)))
        return
    await mine.show_one(ctx, nomination)
