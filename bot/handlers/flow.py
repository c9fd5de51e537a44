"""A multi-step conversation with the mechanics every one of them shares.

Each step asks one question and stores one answer in the session's data under its key. The runner
numbers the steps ("Bước 3/9"), goes back (/quaylai) with the old answer shown, cancels (/huy) after
confirming, offers a summary where any answer can be edited before submitting, and asks whether to
resume a draft left for longer than the stale limit.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from enum import Enum, auto
from typing import Any, ClassVar

from bot.conversation.buttons import FlowButton
from bot.conversation.messages import Choice, Kind, Reply
from bot.conversation.session import Mode, Session
from bot.domain.campaign import Campaign
from bot.domain.policy import Action
from bot.engine.context import Context
from bot.handlers.refusal import refuse

# What a button of the summary, the cancel question and the stale question names in place of a step key.
# The same words as drafts and buttons made before the mode was a field of its own, so both still work.
MODE_BUTTONS = {Mode.SUMMARY: "_summary", Mode.CONFIRM_CANCEL: "_cancel", Mode.STALE: "_stale"}
SUMMARY, CONFIRM_CANCEL, STALE = (MODE_BUTTONS[m] for m in (Mode.SUMMARY, Mode.CONFIRM_CANCEL, Mode.STALE))
_UNSUPPORTED = {Kind.STICKER, Kind.VOICE, Kind.LOCATION, Kind.UNSUPPORTED}


class Outcome(Enum):
    NEXT = auto()  # answer stored: go on
    REASK = auto()  # the step said what was wrong: ask the same question again
    STAY = auto()  # the step said all there is to say and stays where it is


class Step(ABC):
    key: str
    accepts_files = False
    accepts_contact = False

    def applies(self, session: Session) -> bool:
        return True

    @abstractmethod
    def question(self, ctx: Context, flow: Flow) -> tuple[str, list[Choice]]:
        """The question's text and its choices (values made with flow.value(step, ...))."""

    @abstractmethod
    async def answer(self, ctx: Context, flow: Flow, value: str | None) -> Outcome:
        """Take the user's input: `value` is the picked choice's value, or None for other input."""

    @abstractmethod
    def shown(self, ctx: Context) -> str:
        """The stored answer as the user reads it in the summary and when coming back."""

    def label(self, ctx: Context, flow: Flow) -> str:
        return ctx.t(f"{flow.name}.{self.key}.label")

    def answered(self, data: dict[str, Any]) -> bool:
        return self.key in data

    def scratch(self, ctx: Context) -> dict[str, Any]:
        """This step's work in progress, kept apart from the answers."""
        return ctx.session.scratch_of(self.key)


class Flow(ABC):
    name: str
    steps: ClassVar[list[Step]]
    columns: ClassVar[dict[str, int]] = {}
    # What the person must still be allowed to do when the flow commits. Asked again there, not only when
    # the flow starts: a role can be revoked while a draft waits for days.
    action: ClassVar[Action]

    # -- what each flow says for itself --------------------------------------------------------------
    @abstractmethod
    async def submit(self, ctx: Context) -> None:
        """Commit what was collected (every applicable step is answered), tell the user its reference, and
        clear the session."""

    def title(self, ctx: Context) -> str:
        return ctx.t(f"{self.name}.title")

    def summary_header(self, ctx: Context) -> list[str]:
        """Lines shown under the summary's title, for what is fixed rather than answered."""
        return []

    async def commit(self, ctx: Context) -> None:
        """Submit, if the policy still allows it now; otherwise the draft is dropped with the usual refusal.
        An answer that went missing since the summary was shown is asked for first."""
        if not await ctx.may(self.action):
            ctx.session.clear()
            refuse(ctx, self.action)
            return
        missing = self.first_missing(ctx)
        if missing is not None:
            ctx.session.editing = True
            self._go(ctx, missing.key)
            return
        await self.submit(ctx)

    # -- choice values ---------------------------------------------------------------------------------
    def value(self, step: str, choice: str) -> str:
        return FlowButton.packed(self.name, step, choice)

    def parse_value(self, raw: str, step: str) -> str | None:
        """The value of a button of this flow's `step`; None for any other button (an older message's)."""
        return FlowButton.value_in(raw, self.name, step)

    # -- navigation ------------------------------------------------------------------------------------
    def all_steps(self, data: dict[str, Any], campaign: Campaign) -> list[Step]:
        """Every step, in order. A flow whose questions depend on earlier answers builds them here from the
        data (one step per content area picked, say): steps are rebuilt on every input, so numbering,
        back, the summary and editing all follow the answers as they change."""
        return self.steps

    def step(self, ctx: Context, key: str) -> Step:
        return next(s for s in self.all_steps(ctx.session.data, ctx.campaign) if s.key == key)

    def applicable(self, ctx: Context) -> list[Step]:
        session = ctx.session
        return [s for s in self.all_steps(session.data, ctx.campaign) if s.applies(session)]

    def first_missing(self, ctx: Context) -> Step | None:
        """The first step that applies and has no answer: where a draft goes on from."""
        return next((s for s in self.applicable(ctx) if not s.answered(ctx.session.data)), None)

    async def prepare(self, ctx: Context) -> bool:
        """Put in the session's facts what the steps need before the first question (which units the person
        represents, say). False when the flow cannot start for this person: the reason is already said."""
        return True

    async def recall(self, ctx: Context) -> None:
        """Read again, into `ctx.looked_up`, the rows the session names by id (the questions waiting, the
        nomination picked) for the steps to show: a draft keeps ids, not copies of rows. Called before any
        input reaches the flow and once `prepare` has run, since questions and summaries cannot ask the
        database."""
        return

    async def start(self, ctx: Context) -> None:
        ctx.session.start(self.name)
        if not await self.prepare(ctx):
            ctx.session.clear()
            return
        await self.recall(ctx)
        missing = self.first_missing(ctx)
        if missing is None:
            self._set_summary(ctx)
        else:
            self._set_step(ctx, missing.key)
        ctx.say(ctx.t("flow.started", title=self.title(ctx)))
        self.prompt(ctx)

    def prompt(self, ctx: Context, *, show_previous: bool = False) -> None:
        session = ctx.session
        if session.mode is Mode.SUMMARY:
            missing = self.first_missing(ctx)
            if missing is None:
                self._summary(ctx)
                return
            # An answer can go while a draft waits (a phone number removed after the retention period): it is
            # asked again, and the summary follows once it is given.
            session.editing = True
            self._set_step(ctx, missing.key)
        if session.mode is Mode.CONFIRM_CANCEL:
            ctx.say(
                ctx.t("flow.cancel.confirm"),
                [
                    Choice(label=ctx.t("flow.cancel.yes"), value=self.value(CONFIRM_CANCEL, "yes")),
                    Choice(label=ctx.t("flow.cancel.no"), value=self.value(CONFIRM_CANCEL, "no")),
                ],
            )
            return
        if session.mode is Mode.STALE:
            resume_at = session.step if session.return_to is Mode.ASKING else None
            ctx.say(
                ctx.t(
                    "flow.stale.ask",
                    title=self.title(ctx),
                    position=self._position(ctx, resume_at),
                ),
                [
                    Choice(label=ctx.t("flow.stale.resume"), value=self.value(STALE, "resume")),
                    Choice(label=ctx.t("flow.stale.discard"), value=self.value(STALE, "discard")),
                ],
            )
            return
        assert session.step is not None
        step = self.step(ctx, session.step)
        text, choices = step.question(ctx, self)
        lines = [f"{self._position(ctx, step.key)} · {self.title(ctx)}", "", text]
        if (show_previous or session.editing) and step.answered(session.data):
            lines += ["", ctx.t("flow.previous_answer", answer=step.shown(ctx))]
        ctx.replies.append(
            Reply(
                text="\n".join(lines),
                choices=tuple(choices),
                columns=self.columns.get(step.key, 1),
                request_contact=step.accepts_contact,
                request_contact_label=ctx.t("flow.share_contact") if step.accepts_contact else None,
                accepts_files=step.accepts_files,
            )
        )

    def _position(self, ctx: Context, key: str | None) -> str:
        keys = [s.key for s in self.applicable(ctx)]
        if key not in keys:
            return ctx.t("flow.position_summary")
        return ctx.t("flow.position", k=keys.index(key) + 1, n=len(keys))

    @staticmethod
    def _set_step(ctx: Context, key: str) -> None:
        ctx.session.mode = Mode.ASKING
        ctx.session.step = key

    @staticmethod
    def _set_summary(ctx: Context) -> None:
        ctx.session.mode = Mode.SUMMARY
        ctx.session.step = None

    def _go(self, ctx: Context, key: str, *, show_previous: bool = False) -> None:
        self._set_step(ctx, key)
        self.prompt(ctx, show_previous=show_previous)

    def _go_summary(self, ctx: Context) -> None:
        self._set_summary(ctx)
        self.prompt(ctx)

    def _come_back(self, ctx: Context, default: Mode) -> None:
        """Leave the cancel or stale question for where the draft stood before it."""
        session = ctx.session
        session.mode = session.return_to or default
        session.return_to = None
        if session.mode is Mode.ASKING and session.step is None:
            session.step = self.applicable(ctx)[0].key
        elif session.mode is Mode.SUMMARY:
            session.step = None
        self.prompt(ctx, show_previous=True)

    def _advance(self, ctx: Context) -> None:
        session = ctx.session
        if session.editing:
            missing = self.first_missing(ctx)
            if missing is None:
                session.editing = False
                self._go_summary(ctx)
            else:
                self._go(ctx, missing.key)
            return
        applicable = self.applicable(ctx)
        keys = [s.key for s in applicable]
        current = session.step
        assert current is not None
        index = keys.index(current) if current in keys else len(keys) - 1
        following = applicable[index + 1 :]
        if following:
            self._go(ctx, following[0].key, show_previous=True)
        else:
            self._go_summary(ctx)

    # -- input -----------------------------------------------------------------------------------------
    async def handle(self, ctx: Context) -> None:
        session = ctx.session
        incoming = ctx.incoming
        stale_after = ctx.services.stale_after
        if (
            session.mode not in (Mode.STALE, Mode.CONFIRM_CANCEL)
            and session.updated_at is not None
            and ctx.now - session.updated_at > stale_after
        ):
            session.return_to = session.mode
            session.mode = Mode.STALE
            self.prompt(ctx)
            return
        button_step = session.step if session.mode is Mode.ASKING else MODE_BUTTONS[session.mode]
        assert button_step is not None
        value: str | None = None
        if incoming.kind is Kind.CHOICE:
            value = self.parse_value(incoming.choice or "", button_step)
            if value is None:
                ctx.say(ctx.t("errors.old_button"))
                self.prompt(ctx)
                return
        if session.mode is Mode.STALE:
            await self._on_stale(ctx, value)
        elif session.mode is Mode.CONFIRM_CANCEL:
            self._on_confirm_cancel(ctx, value)
        elif session.mode is Mode.SUMMARY:
            await self._on_summary(ctx, value)
        else:
            await self._on_step(ctx, self.step(ctx, button_step), value)

    async def _on_step(self, ctx: Context, step: Step, value: str | None) -> None:
        kind = ctx.incoming.kind
        if kind in _UNSUPPORTED:
            ctx.say(ctx.t(f"input.{kind.value}"))
            self.prompt(ctx)
            return
        if kind is Kind.FILE and not step.accepts_files:
            ctx.say(ctx.t("input.file_not_here"))
            self.prompt(ctx)
            return
        if kind is Kind.CONTACT and not step.accepts_contact:
            ctx.say(ctx.t("input.contact_not_here"))
            self.prompt(ctx)
            return
        outcome = await step.answer(ctx, self, value)
        if outcome is Outcome.NEXT:
            if step.accepts_contact:
                ctx.replies.append(Reply(text=ctx.t("flow.saved", answer=step.shown(ctx)), keep_separate=True))
            self._advance(ctx)
        elif outcome is Outcome.REASK:
            self.prompt(ctx)

    async def _on_stale(self, ctx: Context, value: str | None) -> None:
        if value == "resume":
            self._come_back(ctx, Mode.ASKING)
        elif value == "discard":
            ctx.session.clear()
            ctx.say(ctx.t("flow.stale.discarded"))
        else:
            ctx.say(ctx.t("input.pick_choice"))
            self.prompt(ctx)

    def _on_confirm_cancel(self, ctx: Context, value: str | None) -> None:
        if value == "yes":
            ctx.session.clear()
            ctx.say(ctx.t("flow.cancel.done"))
        elif value == "no":
            self._come_back(ctx, Mode.SUMMARY)
        else:
            ctx.say(ctx.t("input.pick_choice"))
            self.prompt(ctx)

    async def _on_summary(self, ctx: Context, value: str | None) -> None:
        if value == "submit":
            await self.commit(ctx)
        elif value == "cancel":
            self.cancel(ctx)
        elif value is not None and value.startswith("edit-"):
            key = value.removeprefix("edit-")
            if key in {s.key for s in self.applicable(ctx)}:
                ctx.session.editing = True
                self._go(ctx, key)
            else:
                self.prompt(ctx)
        else:
            ctx.say(ctx.t("input.pick_choice"))
            self.prompt(ctx)

    def _summary(self, ctx: Context) -> None:
        steps = self.applicable(ctx)
        labels = [step.label(ctx, self) for step in steps]
        lines = [ctx.t("flow.summary.title", title=self.title(ctx)), *self.summary_header(ctx), ""]
        # Bullets, not numbers: where choices are a numbered list (Zalo, the terminal) numbered answers above
        # them would read as more choices.
        lines += [f"• {label}: {step.shown(ctx)}" for step, label in zip(steps, labels, strict=True)]
        lines += ["", ctx.t("flow.summary.question")]
        choices = [Choice(label=ctx.t("flow.summary.submit"), value=self.value(SUMMARY, "submit"))]
        choices += [
            Choice(label=ctx.t("flow.summary.edit", label=label), value=self.value(SUMMARY, f"edit-{step.key}"))
            for step, label in zip(steps, labels, strict=True)
        ]
        choices.append(Choice(label=ctx.t("flow.summary.cancel"), value=self.value(SUMMARY, "cancel")))
        ctx.say("\n".join(lines), choices)

    # -- commands that apply to any flow -------------------------------------------------------------
    def back(self, ctx: Context) -> None:
        session = ctx.session
        if session.mode in (Mode.CONFIRM_CANCEL, Mode.STALE):
            self._come_back(ctx, Mode.SUMMARY)
            return
        if session.editing:
            session.editing = False
            self._go_summary(ctx)
            return
        applicable = [s.key for s in self.applicable(ctx)]
        if session.mode is Mode.SUMMARY:
            self._go(ctx, applicable[-1], show_previous=True)
            return
        # The step before in the order the answers now give: a flow whose steps follow the answers (a
        # report's areas) may have gained or lost steps since they were first walked.
        index = applicable.index(session.step) if session.step in applicable else 0
        if index > 0:
            self._go(ctx, applicable[index - 1], show_previous=True)
            return
        ctx.say(ctx.t("flow.back.first_step"))
        self.prompt(ctx)

    def cancel(self, ctx: Context) -> None:
        session = ctx.session
        if session.mode not in (Mode.CONFIRM_CANCEL, Mode.STALE):
            session.return_to = session.mode
        session.mode = Mode.CONFIRM_CANCEL
        self.prompt(ctx)

    def remind(self, ctx: Context) -> None:
        """Tell a user who wandered off (asked for help, say) where their draft stands."""
        ctx.say(ctx.t("flow.in_progress", title=self.title(ctx)))
        self.prompt(ctx)
