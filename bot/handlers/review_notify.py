"""What review tells people on its own initiative, through the outbox in the transaction of the decision:
the nominator each outcome in their language, the desk each answer the nominator gives."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from bot.conversation.messages import Choice, OutgoingFile, Reply
from bot.domain.nomination import Nomination, NominationStatus
from bot.domain.review import Question, ReviewState
from bot.engine.context import Services
from bot.handlers.review_card import OUTBOX_KIND, card_lines, desk_reply, may_see_contacts, value
from bot.storage.desk import DeskChat
from bot.storage.repos import Repos

OUTCOME_EVENTS = {
    NominationStatus.APPROVED: "approved",
    NominationStatus.REJECTED: "rejected",
    NominationStatus.PUBLISHED: "published",
}


async def tell_nominator(
    repos: Repos,
    services: Services,
    nomination: Nomination,
    event: str,
    now: dt.datetime,
    *,
    key: str | None = None,
    choices: list[Choice] | None = None,
    via: str | None = None,
    **values: Any,
) -> bool:
    """Queue `review.nominator.<event>` to whoever submitted the nomination; True if it was queued now.
    `via` names the nomination this one was merged into, whose outcome it followed."""
    user = await repos.users.by_id(nomination.submitted_by)
    if user is None:
        return False
    t = services.catalog.t
    text = t(
        user.lang, f"review.nominator.{event}", reference=nomination.reference, name=nomination.nominee_name, **values
    )
    if via is not None:
        text += "\n" + t(user.lang, "review.nominator.via_merge", into=via)
    labelled = [c.model_copy(update={"label": t(user.lang, c.label)}) for c in choices or []]
    return await repos.outbox.enqueue(
        key or f"review:{event}:{nomination.id}",
        user.channel,
        user.chat_id,
        Reply(text=text, choices=tuple(labelled)),
        OUTBOX_KIND,
        now,
        user_id=user.id,
    )


async def tell_outcome(
    repos: Repos, services: Services, state: ReviewState, followers: list[Nomination], now: dt.datetime
) -> None:
    """The nominator, and the nominator of each nomination merged into this one, learn the outcome."""
    event = OUTCOME_EVENTS.get(state.status)
    if event is None:
        return
    reason = state.last_reason or "—"
    await tell_nominator(repos, services, state.nomination, event, now, reason=reason)
    for follower in followers:
        await tell_nominator(repos, services, follower, event, now, reason=reason, via=state.reference)


async def tell_question(
    repos: Repos, services: Services, state: ReviewState, question: Question, now: dt.datetime
) -> None:
    # The button's label is a catalog key here: tell_nominator puts it in the nominator's language.
    answer = Choice(label="review.button.answer", value=value("answer", question.id))
    await tell_nominator(
        repos,
        services,
        state.nomination,
        "needs_info",
        now,
        key=f"review:question:{question.id}",
        choices=[answer],
        question=question.question,
        max=services.max_files,
    )


async def tell_desk_answer(
    repos: Repos, services: Services, state: ReviewState, question: Question, now: dt.datetime
) -> None:
    """The answer goes to the reviewer who asked and to every desk chat, with the files after it and the
    buttons for what can be decided now."""
    chats = await repos.desk.chats(services.desk_chats)
    asker = await repos.users.by_id(question.asked_by)
    if asker is not None and all((c.channel, c.chat_id) != (asker.channel, asker.chat_id) for c in chats):
        chats.append(DeskChat(asker.channel, asker.chat_id, asker.lang, asker.id))
    files = await repos.review.answer_file_paths(question.id)
    outbox = repos.outbox
    t = services.catalog.t
    for chat in chats:
        lang = chat.lang
        heading = t(
            lang,
            "review.answered.notice",
            reference=state.reference,
            question=question.question,
            answer=question.answer or t(lang, "review.answered.no_text"),
        )
        lines = [heading]
        if files:
            lines.append(t(lang, "review.answered.files", count=len(files)))
        lines += [""] + (
            await card_lines(
                repos,
                services,
                lang,
                state,
                contacts=await may_see_contacts(repos, chat),
                heading=t(
                    lang, "review.card.view", reference=state.reference, status=t(lang, f"status.{state.status.value}")
                ),
            )
        )
        key = f"review:answer:{question.id}:{chat.key}"
        # The files first and the notice last, so that its buttons sit right above the input field.
        for position, (path, mime, name) in enumerate(files, start=1):
            caption = t(
                lang, "review.answered.file_caption", position=position, count=len(files), reference=state.reference
            )
            attached = OutgoingFile(path=Path(path), filename=name or Path(path).name, mime=mime)
            await outbox.enqueue(
                f"{key}:file{position}",
                chat.channel,
                chat.chat_id,
                Reply(text=caption, file=attached),
                OUTBOX_KIND,
                now,
                user_id=chat.user_id,
            )
        reply = desk_reply(services, chat, lines, state)
        await outbox.enqueue(key, chat.channel, chat.chat_id, reply, OUTBOX_KIND, now, user_id=chat.user_id)
