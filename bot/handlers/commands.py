"""Every command, in one table: its Vietnamese and English names, who may use it, what runs it, and where
it is offered (the start menu's buttons, /trogiup, Telegram's command menu). Adding a command is adding a
line here (and its words to the catalogs). The commands that show the table live here too: the greeting
with its menu, /trogiup, and /ngonngu whose answer ends with the menu."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum, auto

from bot.conversation.buttons import LangButton, MenuButton
from bot.conversation.messages import Choice
from bot.domain.policy import Action
from bot.domain.text import fold
from bot.engine.context import Context
from bot.handlers import annex, desk_link, digest, invite, mine, queue, register, split, status
from bot.handlers.announce import AnnounceFlow
from bot.handlers.answer import AnswerFlow
from bot.handlers.commendation import CommendFlow
from bot.handlers.decision import DecideFlow
from bot.handlers.export import ExportFlow
from bot.handlers.flow import Flow
from bot.handlers.nominate import NominateFlow
from bot.handlers.report import ReportFlow
from bot.i18n import LANGUAGES

Handler = Callable[[Context], Awaitable[None]]


class Place(Enum):
    """Where a command is a button of the start menu (the same menu wherever the bot offers one, so that its
    numbers always mean the same things to a person)."""

    EVERYONE = auto()  # for everyone, in the table's order
    FIRST = auto()  # the role's own work, put first for those who may
    SECOND = auto()  # the role's own work, put second for those who may
    STAFF = auto()  # the desk's work, after what everyone can do, for those who may


@dataclass(frozen=True)
class Command:
    name: str  # canonical name, also the catalog key under commands. (and under menu. for a button)
    vi: str
    en: str
    # Asked before it runs. Some handlers ask again with what they are given (whose nomination, which role).
    action: Action
    # A handler, or the conversation it starts; None for /quaylai and /huy, which act on the conversation.
    run: Handler | type[Flow] | None
    # The desk's commands: in /trogiup and Telegram's menu only for those who may use them.
    staff: bool = False
    # In Telegram's command menu (for the staff who may, if `staff`).
    listed: bool = True
    button: Place | None = None

    @property
    def aliases(self) -> tuple[str, ...]:
        return (self.vi, self.en)


# -- the commands that show the table (read when they run, after the table is built) ------------------
def _button(ctx: Context, command: Command) -> Choice:
    return Choice(label=ctx.t(f"menu.{command.name}"), value=MenuButton(command=command.name).pack())


async def menu_choices(ctx: Context) -> list[Choice]:
    """The person's own menu, the same wherever the bot offers one, so that its numbers always mean the
    same things to them: what everyone can do, with their role's work around it."""
    commands = COMMANDS
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
    for command in COMMANDS:
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
    await ctx.repos.users.set_lang(ctx.user.id, lang)
    ctx.user = ctx.user.model_copy(update={"lang": lang})
    ctx.say(ctx.t("lang.changed"), await menu_choices(ctx) if ctx.session.conversation is None else [])


COMMANDS: tuple[Command, ...] = (
    Command("start", "batdau", "start", Action.START, start),
    Command("nominate", "decu", "nominate", Action.NOMINATE, NominateFlow, button=Place.EVERYONE),
    Command("mine", "cuatoi", "mine", Action.MY_NOMINATIONS, mine.my_nominations, button=Place.EVERYONE),
    Command("register", "dangky", "register", Action.REGISTER, register.register),
    Command("report", "baocao", "report", Action.REPORT, ReportFlow, button=Place.FIRST),
    Command("status", "tinhtrang", "status", Action.STATUS, status.status, button=Place.SECOND),
    # Which invites a person may create depends on the role it gives: the handler asks again.
    Command("invite", "moi", "invite", Action.INVITE_UNIT_STAFF, invite.create_invite, staff=True),
    Command("answer", "traloi", "answer", Action.ANSWER_QUESTION, AnswerFlow),
    Command("queue", "choduyet", "queue", Action.REVIEW, queue.show_queue, staff=True, button=Place.STAFF),
    # Whose nomination may be opened depends on the nomination: the handler asks the policy.
    Command("view", "xem", "view", Action.START, queue.view_by_reference, listed=False),
    Command("digest", "tonghop", "digest", Action.DIGEST, digest.send_digest, staff=True, button=Place.STAFF),
    Command("announce", "thongbao", "announce", Action.ANNOUNCE, AnnounceFlow, staff=True, button=Place.STAFF),
    Command("export", "xuat", "export", Action.EXPORT, ExportFlow, staff=True, button=Place.STAFF),
    # Rare, or taking words (a code, a number): in /trogiup for those who may, not among the buttons.
    Command("split", "tachdonvi", "split", Action.MANAGE_UNITS, split.list_splits, staff=True),
    Command("commend", "khenthuong", "commend", Action.COMMEND, CommendFlow, staff=True, button=Place.STAFF),
    Command("decide", "quyetdinh", "decide", Action.COMMEND, DecideFlow, staff=True),
    Command("annex", "phuluc", "annex", Action.COMMEND, annex.make_annex, staff=True),
    # A one-time link to the desk in a browser, asked for when wanted.
    Command("desk", "web", "desk", Action.WEB_DESK, desk_link.send_link, staff=True),
    Command("help", "trogiup", "help", Action.HELP, help_, button=Place.EVERYONE),
    Command("lang", "ngonngu", "lang", Action.LANGUAGE, choose_language, button=Place.EVERYONE),
    Command("back", "quaylai", "back", Action.START, None),
    Command("cancel", "huy", "cancel", Action.START, None),
)

_BY_ALIAS = {alias: command for command in COMMANDS for alias in command.aliases}
BY_NAME = {command.name: command for command in COMMANDS}


def find_command(word: str) -> Command | None:
    """The command a typed word names: "/decu", "decu", "/DECU@thidua_bot" all name `nominate`, and a phone
    keyboard's accents do not matter: "/hủy" and "/đề_cử" are "/huy" and "/decu"."""
    word = word.strip().lstrip("/").split("@", 1)[0].lower()
    return _BY_ALIAS.get(word) or _BY_ALIAS.get(fold(word).replace("_", "").replace(" ", ""))
