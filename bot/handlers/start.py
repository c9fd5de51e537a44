"""/start, /help and /lang: greeting, the list of commands, and the choice of language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.conversation.buttons import LangButton, MenuButton
from bot.conversation.messages import Choice
from bot.engine.context import Context
from bot.i18n import LANGUAGES
from bot.storage.users import UserRepo

if TYPE_CHECKING:
    from bot.handlers.commands import Command


def _commands() -> tuple[Command, ...]:
    # The table names this module's handlers, so it is read when a menu is made, not when this module loads.
    from bot.handlers.commands import COMMANDS

    return COMMANDS


def _button(ctx: Context, command: Command) -> Choice:
    return Choice(label=ctx.t(f"menu.{command.name}"), value=MenuButton(command=command.name).pack())


async def menu_choices(ctx: Context) -> list[Choice]:
    """The person's own menu, the same wherever the bot offers one, so that its numbers always mean the
    same things to them: what everyone can do, with their role's work around it."""
    from bot.handlers.commands import Place

    commands = _commands()
    choices = [_button(ctx, c) for c in commands if c.button is Place.EVERYONE]
    for place, index in ((Place.FIRST, 0), (Place.SECOND, 1)):
        for command in commands:
            if command.button is place and await ctx.may(command.action):
                choices.insert(index, _button(ctx, command))
    # The desk's work one tap away for those who do it, after what everyone can do.
    choices += [_button(ctx, c) for c in commands if c.button is Place.STAFF and await ctx.may(c.action)]
    return choices


async def start(ctx: Context) -> None:
    name = ctx.incoming.display_name or ctx.user.display_name
    hello = ctx.t("start.hello_named", name=name) if name else ctx.t("start.hello")
    campaign = ctx.campaign.campaign.title.get(ctx.lang)
    ctx.say(f"{hello} {ctx.t('start.greeting', campaign=campaign)}", await menu_choices(ctx))


async def help_(ctx: Context) -> None:
    lines = [ctx.t("help.title"), ""]
    for command in _commands():
        # The desk's commands are listed to those who may use them; everything else to everyone, since a
        # refusal there explains how to get the right (an invite code).
        if command.staff and not await ctx.may(command.action):
            continue
        primary, secondary = (command.vi, command.en) if ctx.lang == "vi" else (command.en, command.vi)
        lines.append(f"/{primary} (/{secondary}) — {ctx.t(f'commands.{command.name}')}")
    lines += ["", ctx.t("help.footer")]
    ctx.say("\n".join(lines))


def _languages(ctx: Context) -> list[Choice]:
    return [Choice(label=ctx.t(f"lang.name.{lang}"), value=LangButton(lang=lang).pack()) for lang in LANGUAGES]


async def choose_language(ctx: Context) -> None:
    wanted = ctx.incoming.args.strip().lower()
    if wanted in LANGUAGES:
        await set_language(ctx, wanted)
        return
    ctx.say(ctx.t("lang.question"), _languages(ctx))


async def set_language(ctx: Context, lang: str) -> None:
    if lang not in LANGUAGES:
        # A forged or outdated button: only a language there are catalogs for is ever stored.
        ctx.say(ctx.t("lang.unknown"), _languages(ctx))
        return
    await UserRepo(ctx.conn).set_lang(ctx.user.id, lang)
    ctx.user = ctx.user.model_copy(update={"lang": lang})
    ctx.say(ctx.t("lang.changed"), await menu_choices(ctx) if ctx.session.conversation is None else [])
