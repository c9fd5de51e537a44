"""Which handler answers an input: commands first, then the conversation in progress, then the menu."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from bot.conversation.messages import Kind
from bot.conversation.session import Mode, Session
from bot.domain.policy import Action
from bot.engine.context import Context, Services
from bot.handlers import annex, desk_link, digest, invite, mine, queue, register, split, start, status
from bot.handlers.announce import AnnounceFlow
from bot.handlers.answer import AnswerFlow
from bot.handlers.commands import find_command
from bot.handlers.commendation import CommendFlow
from bot.handlers.decision import DecideFlow
from bot.handlers.export import ExportFlow
from bot.handlers.flow import Flow
from bot.handlers.nominate import NominateFlow
from bot.handlers.refusal import insist
from bot.handlers.report import ReportFlow
from bot.handlers.review import PREFIX as REVIEW_PREFIX
from bot.handlers.review import on_button as review_button
from bot.handlers.review_flow import AskFlow, RejectFlow
from bot.i18n import LANGUAGES

Handler = Callable[[Context], Awaitable[None]]


class ConversationRouter:
    def __init__(self, flows: list[Flow]) -> None:
        self.flows = {flow.name: flow for flow in flows}
        self.simple: dict[str, tuple[Action, Handler]] = {
            "start": (Action.START, start.start),
            "help": (Action.HELP, start.help_),
            "lang": (Action.LANGUAGE, start.choose_language),
            "mine": (Action.MY_NOMINATIONS, mine.my_nominations),
            "register": (Action.REGISTER, register.register),
            "status": (Action.STATUS, status.status),
            # Which invites a person may create depends on the role it gives: the handler asks again.
            "invite": (Action.INVITE_UNIT_STAFF, invite.create_invite),
            "digest": (Action.DIGEST, digest.send_digest),
            "queue": (Action.REVIEW, queue.show_queue),
            # Whose nomination may be opened depends on the nomination: the handler asks the policy.
            "view": (Action.START, queue.view_by_reference),
            "split": (Action.MANAGE_UNITS, split.list_splits),
            "annex": (Action.COMMEND, annex.make_annex),
            "desk": (Action.WEB_DESK, desk_link.send_link),
        }
        self.flow_actions = {
            "nominate": Action.NOMINATE,
            "report": Action.REPORT,
            "announce": Action.ANNOUNCE,
            "export": Action.EXPORT,
            "answer": Action.ANSWER_QUESTION,
            "commend": Action.COMMEND,
            "decide": Action.COMMEND,
        }

    def accepts_files(self, session: Session, services: Services) -> bool:
        flow = self.flows.get(session.conversation or "")
        if flow is None or session.mode is not Mode.ASKING or session.step is None:
            return False
        steps = flow.all_steps(session.data, services.campaign)
        return any(step.key == session.step and step.accepts_files for step in steps)

    def active_flow(self, ctx: Context) -> Flow | None:
        flow = self.flows.get(ctx.session.conversation or "")
        if flow is None and ctx.session.conversation is not None:
            ctx.session.clear()  # a conversation this version no longer has
        return flow

    async def route(self, ctx: Context) -> None:
        incoming = ctx.incoming
        flow = self.active_flow(ctx)
        if incoming.kind is Kind.COMMAND:
            await self._command(ctx, incoming.command or "", flow)
            return
        if incoming.kind is Kind.CHOICE:
            raw = incoming.choice or ""
            if raw.startswith(start.MENU_PREFIX):
                await self._command(ctx, raw.removeprefix(start.MENU_PREFIX), flow)
                return
            if raw.startswith(start.LANG_PREFIX):
                await start.set_language(ctx, raw.removeprefix(start.LANG_PREFIX))
                if flow is not None:
                    flow.prompt(ctx)
                return
            if raw.startswith(queue.PREFIX):
                await queue.on_button(ctx)
                if flow is not None:
                    flow.remind(ctx)
                return
            if raw.startswith(split.PREFIX):
                await split.split_button(ctx)
                return
            if raw.startswith(REVIEW_PREFIX):
                # Review buttons name their nomination, so they work whatever conversation is in progress.
                await review_button(ctx, self.flows, flow)
                return
        if flow is not None:
            await flow.handle(ctx)
            return
        reference = queue.parse_reference(incoming.text or "") if incoming.kind is Kind.TEXT else None
        if reference is not None:
            await queue.open_reference(ctx, reference)
            return
        if incoming.kind is Kind.CHOICE:
            ctx.say(ctx.t("errors.old_button_idle"), await start.menu_choices(ctx))
        else:
            ctx.say(ctx.t("errors.not_understood"), await start.menu_choices(ctx))

    async def _command(self, ctx: Context, word: str, flow: Flow | None) -> None:
        command = find_command(word)
        if command is None:
            ctx.say(ctx.t("errors.unknown_command", command=word[:40]))
            if flow is not None:
                flow.prompt(ctx)
            return
        name = command.name
        if name in ("back", "cancel"):
            if flow is None:
                ctx.say(ctx.t("flow.nothing_to_" + name), await start.menu_choices(ctx))
            elif name == "back":
                flow.back(ctx)
            else:
                flow.cancel(ctx)
            return
        if name in self.flows:
            if not await self._may(ctx, self.flow_actions[name]):
                return
            if flow is not None:
                flow.remind(ctx)
                return
            await self.flows[name].start(ctx)
            return
        action, handler = self.simple[name]
        if not await self._may(ctx, action):
            return
        await handler(ctx)
        if flow is None:
            return
        if name != "lang":
            flow.remind(ctx)
        elif ctx.incoming.args.strip().lower() in LANGUAGES:
            # "/lang en" switched at once: the step is asked again, in the new language, with its choices.
            flow.prompt(ctx)

    async def _may(self, ctx: Context, action: Action) -> bool:
        return await insist(ctx, action)


def build_router() -> ConversationRouter:
    return ConversationRouter(
        [
            NominateFlow(),
            ReportFlow(),
            AnnounceFlow(),
            ExportFlow(),
            AnswerFlow(),
            RejectFlow(),
            AskFlow(),
            CommendFlow(),
            DecideFlow(),
        ]
    )
