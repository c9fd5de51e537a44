"""/traloi: the nominator answers the secretariat's question about their nomination, in words, files or both.

Started by the "Trả lời" button under the question or by the command; with several questions waiting, the
person picks one. The answer is kept with the question (written once), the nomination goes back to review,
and the reviewer who asked and the desk are told through the outbox.
"""

from __future__ import annotations

from typing import ClassVar

from bot.conversation.messages import Choice, Kind
from bot.conversation.session import Session
from bot.domain.nomination import EvidenceFile
from bot.domain.policy import Action
from bot.domain.review import ANSWER_MAX, Decision, Question
from bot.domain.text import normalize_text, shorten
from bot.engine.context import Context
from bot.handlers.files_step import FilesStep
from bot.handlers.flow import Flow, Outcome, Step
from bot.handlers.review_card import parse
from bot.handlers.review_notify import tell_desk_answer

# The facts' key for the ids of the questions that waited for this person when the conversation began.
WAITING = "questions"
QUESTION_SHOWN = 60


def _waiting_ids(session: Session) -> list[int]:
    ids: list[int] = session.facts.get(WAITING, [])
    return ids


def _waiting(ctx: Context) -> list[Question]:
    """The questions that waited, as the database holds them now (read by AnswerFlow.recall)."""
    found: list[Question] = ctx.looked_up.get(WAITING, [])
    return found


def _picked(ctx: Context) -> Question | None:
    return next((q for q in _waiting(ctx) if q.id == ctx.session.data.get("question")), None)


def _item(ctx: Context, asked: Question) -> str:
    return ctx.t("answer.question.item", reference=asked.reference, question=shorten(asked.question, QUESTION_SHOWN))


class PickQuestionStep(Step):
    key = "question"

    def applies(self, session: Session) -> bool:
        return len(_waiting_ids(session)) > 1

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        waiting = _waiting(ctx)
        return ctx.t("answer.question.question", count=len(waiting)), [
            Choice(label=_item(ctx, q), value=flow.value(self.key, str(q.id))) for q in waiting
        ]

    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        ids = {str(qid): qid for qid in _waiting_ids(ctx.session)}
        if value not in ids:
            ctx.say(ctx.t("input.pick_choice"))
            return Outcome.REASK
        ctx.session.data[self.key] = ids[value]
        return Outcome.NEXT

    def shown(self, ctx: Context) -> str:
        picked = _picked(ctx)
        if picked is None:
            return "—"
        return _item(ctx, picked)


class AnswerTextStep(Step):
    key = "text"

    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        picked = _picked(ctx)
        reference, asked = (picked.reference, picked.question) if picked is not None else ("", "")
        text = ctx.t("answer.text.question", reference=reference, question=asked, max=ANSWER_MAX)
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
        ctx.session.facts[WAITING] = [q.id for q in waiting]
        if wanted is not None or len(waiting) == 1:
            ctx.session.data["question"] = wanted if wanted is not None else waiting[0].id
        return True

    async def recall(self, ctx: Context) -> None:
        # Answered or withdrawn since, a question is still shown as it was asked; submitting says so.
        ctx.looked_up[WAITING] = await ctx.repos.review.questions(_waiting_ids(ctx.session))

    def summary_header(self, ctx: Context) -> list[str]:
        picked = _picked(ctx)
        return [ctx.t("answer.header", reference=picked.reference)] if picked else []

    async def submit(self, ctx: Context) -> None:
        data = ctx.session.data
        picked = _picked(ctx)
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
        question_id, reference = picked.id, picked.reference
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
