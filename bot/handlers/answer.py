"""/traloi: the nominator answers the secretariat's question about their nomination, in words, files or both.

Started by the "Trả lời" button under the question or by the command; with several questions waiting, the
person picks one. The answer is kept with the question (written once), the nomination goes back to review,
and the reviewer who asked and the desk are told through the outbox.
"""

from __future__ import annotations

from typing import Any, ClassVar

from bot.conversation.messages import Choice, Kind
from bot.conversation.session import Session
from bot.domain.nomination import EvidenceFile
from bot.domain.policy import Action
from bot.domain.review import ANSWER_MAX, Decision
from bot.domain.text import normalize_text, shorten
from bot.engine.context import Context
from bot.handlers.files_step import FilesStep
from bot.handlers.flow import Flow, Outcome, Step
from bot.handlers.review_card import parse
from bot.handlers.review_notify import tell_desk_answer

OPEN = "_open"
QUESTION_SHOWN = 60


def _open(data: dict[str, Any]) -> list[list[Any]]:
    """[question id, reference, question] of each question waiting for this person, as prepared."""
    found: list[list[Any]] = data.get(OPEN, [])
    return found


def _picked(data: dict[str, Any]) -> list[Any] | None:
    return next((q for q in _open(data) if q[0] == data.get("question")), None)


class PickQuestionStep(Step):
    key = "question"

    def applies(self, session: Session) -> bool:
        data = session.data
        return len(_open(data)) > 1

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        waiting = _open(ctx.session.data)
        return ctx.t("answer.question.question", count=len(waiting)), [
            Choice(
                label=ctx.t("answer.question.item", reference=ref, question=shorten(text, QUESTION_SHOWN)),
                value=flow.value(self.key, str(qid)),
            )
            for qid, ref, text in waiting
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        ids = {str(q[0]): q[0] for q in _open(ctx.session.data)}
        if value not in ids:
            ctx.say(ctx.t("input.pick_choice"))
            return Outcome.REASK
        ctx.session.data[self.key] = ids[value]
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        picked = _picked(ctx.session.data)
        if picked is None:
            return "—"
        return ctx.t("answer.question.item", reference=picked[1], question=shorten(picked[2], QUESTION_SHOWN))


class AnswerTextStep(Step):
    key = "text"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        picked = _picked(ctx.session.data) or [0, "", ""]
        text = ctx.t("answer.text.question", reference=picked[1], question=picked[2], max=ANSWER_MAX)
        return text, [Choice(label=ctx.t("answer.text.skip"), value=flow.value(self.key, "skip"))]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        if value == "skip":
            ctx.session.data[self.key] = ""
            return Outcome.NEXT
        if ctx.incoming.kind is not Kind.TEXT:
            ctx.say(ctx.t("answer.text.type_text"))
            return Outcome.REASK
        text = normalize_text(ctx.incoming.text or "")
        if not text:
            ctx.say(ctx.t("answer.text.type_text"))
            return Outcome.REASK
        if len(text) > ANSWER_MAX:
            ctx.say(ctx.t("answer.text.too_long", max=ANSWER_MAX, length=len(text)))
            return Outcome.REASK
        ctx.session.data[self.key] = text
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        text = str(ctx.session.data.get(self.key) or "")
        return shorten(text, 500) if text else ctx.t("answer.text.none")


class AnswerFlow(Flow):
    name = "answer"
    action = Action.ANSWER_QUESTION
    steps: ClassVar[list[Step]] = [PickQuestionStep(), AnswerTextStep(), FilesStep("files", "answer.files")]

    async def prepare(self, ctx: Context) -> bool:
        waiting = await ctx.repos.review.open_questions_for(ctx.user.id)
        press = parse(ctx.incoming.choice or "") if ctx.incoming.kind is Kind.CHOICE else None
        wanted = press.number(0) if press is not None else None
        if press is not None and all(q.id != wanted for q in waiting):
            ctx.say(ctx.t("answer.not_open"))
            return False
        if not waiting:
            ctx.say(ctx.t("answer.none"))
            return False
        data = ctx.session.data
        data[OPEN] = [[q.id, q.reference, q.question] for q in waiting]
        if wanted is not None or len(waiting) == 1:
            data["question"] = wanted if wanted is not None else waiting[0].id
        return True

    def summary_header(self, ctx: Context) -> list[str]:
        picked = _picked(ctx.session.data)
        return [ctx.t("answer.header", reference=picked[1])] if picked else []

    async def submit(self, ctx: Context) -> None:
        data = ctx.session.data
        picked = _picked(data)
        if picked is None:
            ctx.session.editing = True
            self._go(ctx, "question")
            return
        text = str(data.get("text") or "") or None
        files = [EvidenceFile.model_validate(f) for f in data.get("files", [])]
        if text is None and not files:
            ctx.say(ctx.t("answer.empty"))
            ctx.session.editing = True
            self._go(ctx, "text")
            return
        question_id, reference = int(picked[0]), str(picked[1])
        ctx.session.clear()
        store = ctx.repos.files
        for item in files:
            await store.record(item, ctx.now)
        repo = ctx.repos.review
        if not await repo.answer(question_id, text, files, ctx.now):
            ctx.say(ctx.t("answer.already"))
            return
        # Back to review if it was waiting for this; a nomination decided meanwhile keeps its outcome.
        decided = await repo.decide(reference, Decision.ANSWERED, ctx.user, ctx.now, expected_stage="needs_info")
        # Whether or not it moved, the decision's read of the nomination is where it stands now.
        state = decided.state if decided is not None else None
        answered = await repo.question(question_id)
        assert state is not None and answered is not None
        await tell_desk_answer(ctx.repos, ctx.services, state, answered, ctx.now)
        ctx.say(ctx.t("answer.sent", reference=reference))
