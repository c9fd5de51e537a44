"""/start, /help and /lang: greeting, the list of commands, and the choice of language."""

from __future__ import annotations

from bot.conversation.messages import Choice
from bot.domain.policy import Action
from bot.engine.context import Context
from bot.handlers.commands import COMMANDS
from bot.i18n import LANGUAGES
from bot.storage.users import UserRepo

MENU_PREFIX = "menu:"
STAFF_ACTIONS = {
    "invite": Action.INVITE_UNIT_STAFF,
    "queue": Action.REVIEW,
    "digest": Action.DIGEST,
    "announce": Action.ANNOUNCE,
    "export": Action.EXPORT,
    "commend": Action.COMMEND,
    "decide": Action.COMMEND,
    "annex": Action.COMMEND,
    "split": Action.MANAGE_UNITS,
    "desk": Action.WEB_DESK,
}
# Staff commands listed in /help to those who may use them but left out of the menu's buttons: they take
# words (a code, a number), are rare, or (the desk's link) are asked for when wanted.
NOT_IN_MENU = frozenset({"invite", "decide", "annex", "split", "desk"})
LANG_PREFIX = "lang:"


def _everyones_choices(ctx: Context) -> list[Choice]:
    return [
        Choice(label=ctx.t("menu.nominate"), value=f"{MENU_PREFIX}nominate"),
        Choice(label=ctx.t("menu.mine"), value=f"{MENU_PREFIX}mine"),
        Choice(label=ctx.t("menu.help"), value=f"{MENU_PREFIX}help"),
        Choice(label=ctx.t("menu.lang"), value=f"{MENU_PREFIX}lang"),
    ]


async def menu_choices(ctx: Context) -> list[Choice]:
    """The person's own menu, the same wherever the bot offers one, so that its numbers always mean the
    same things to them: what everyone can do, with their role's work around it."""
    choices = _everyones_choices(ctx)
    if await ctx.may(Action.REPORT):
        choices.insert(0, Choice(label=ctx.t("menu.report"), value=f"{MENU_PREFIX}report"))
    if await ctx.may(Action.STATUS):
        choices.insert(1, Choice(label=ctx.t("menu.status"), value=f"{MENU_PREFIX}status"))
    # The desk's work one tap away for those who do it, after what everyone can do.
    choices += [
        Choice(label=ctx.t(f"menu.{name}"), value=f"{MENU_PREFIX}{name}")
        for name, action in STAFF_ACTIONS.items()
        if name not in NOT_IN_MENU and await ctx.may(action)
    ]
    return choices


async def start(ctx: Context) -> None:
    name = ctx.incoming.display_name or ctx.user.display_name
    hello = ctx.t("start.hello_named", name=name) if name else ctx.t("start.hello")
    campaign = ctx.campaign.campaign.title.get(ctx.lang)
    ctx.say(f"{hello} {ctx.t('start.greeting', campaign=campaign)}", await menu_choices(ctx))


async def help_(ctx: Context) -> None:
    lines = [ctx.t("help.title"), ""]
    for command in COMMANDS:
        # The desk's commands are listed to those who may use them; everything else to everyone, since a
        # refusal there explains how to get the right (an invite code).
        staff_only = STAFF_ACTIONS.get(command.name)
        if staff_only is not None and not await ctx.may(staff_only):
            continue
        primary, secondary = (command.vi, command.en) if ctx.lang == "vi" else (command.en, command.vi)
        lines.append(f"/{primary} (/{secondary}) — {ctx.t(f'commands.{command.name}')}")
    lines += ["", ctx.t("help.footer")]
    ctx.say("\n".join(lines))


async def choose_language(ctx: Context) -> None:
    wanted = ctx.incoming.args.strip().lower()
    if wanted in LANGUAGES:
        await set_language(ctx, wanted)
        return
    ctx.say(
        ctx.t("lang.question"),
        [Choice(label=ctx.t(f"lang.name.{lang}"), value=f"{LANG_PREFIX}{lang}") for lang in LANGUAGES],
    )


async def set_language(ctx: Context, lang: str) -> None:
    if lang not in LANGUAGES:
        # A forged or outdated button: only a language there are catalogs for is ever stored.
        ctx.say(
            ctx.t("lang.unknown"),
            [Choice(label=ctx.t(f"lang.name.{known}"), value=f"{LANG_PREFIX}{known}") for known in LANGUAGES],
        )
        return
    await UserRepo(ctx.conn).set_lang(ctx.user.id, lang)
    ctx.user = ctx.user.model_copy(update={"lang": lang})
    ctx.say(ctx.t("lang.changed"), await menu_choices(ctx) if ctx.session.conversation is None else [])
