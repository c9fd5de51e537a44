"""Which handler answers an input: commands first, then the conversation in progress, then the menu."""

from __future__ import annotations

from bot.conversation.buttons import LangButton, MenuButton, QueueButton, ReviewButton, SplitButton, kind_of
from bot.conversation.messages import Kind
from bot.conversation.session import Mode, Session
from bot.domain.policy import Action
from bot.engine.context import Context, Services
from bot.handlers import queue, split
from bot.handlers.commands import COMMANDS, find_command, menu_choices, set_language
from bot.handlers.flow import Flow
from bot.handlers.refusal import insist
from bot.handlers.review import on_button as review_button
from bot.handlers.review_flow import AskFlow, RejectFlow
from bot.i18n import LANGUAGES


class ConversationRouter:
    def __init__(self, flows: list[Flow]) -> None:
        self.flows = {flow.name: flow for flow in flows}

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
        if flow is not None:
            await flow.recall(ctx)
        if incoming.kind is Kind.COMMAND:
            await self._command(ctx, incoming.command or "", flow)
            return
        if incoming.kind is Kind.CHOICE:
            raw = incoming.choice or ""
            kind = kind_of(raw)
            if kind is MenuButton:
                menu = MenuButton.unpack(raw)
                await self._command(ctx, menu.command if menu is not None else "", flow)
                return
            if kind is LangButton:
                lang = LangButton.unpack(raw)
                await set_language(ctx, lang.lang if lang is not None else "")
                if flow is not None:
                    flow.prompt(ctx)
                return
            if kind is QueueButton:
                await queue.on_button(ctx)
                if flow is not None:
                    flow.remind(ctx)
                return
            if kind is SplitButton:
                await split.split_button(ctx)
                return
            if kind is ReviewButton:
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
            ctx.say(ctx.t("errors.old_button_idle"), await menu_choices(ctx))
        else:
            ctx.say(ctx.t("errors.not_understood"), await menu_choices(ctx))

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
                ctx.say(ctx.t("flow.nothing_to_" + name), await menu_choices(ctx))
            elif name == "back":
                flow.back(ctx)
            else:
                flow.cancel(ctx)
            return
        run = command.run
        if not await self._may(ctx, command.action):
            return
        if isinstance(run, type):
            if flow is not None:
                flow.remind(ctx)
                return
            await self.flows[name].start(ctx)
            return
        assert run is not None
        await run(ctx)
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
    # The conversations the commands start, and those only a review button starts.
    started = [command.run() for command in COMMANDS if isinstance(command.run, type)]
    return ConversationRouter([*started, RejectFlow(), AskFlow()])
