"""The commands users type, with their Vietnamese and English names."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.text import fold


@dataclass(frozen=True)
class Command:
    name: str  # canonical name, also the catalog key under commands.
    vi: str
    en: str
    in_menu: bool = True

    @property
    def aliases(self) -> tuple[str, ...]:
        return (self.vi, self.en)


COMMANDS: tuple[Command, ...] = (
    Command("start", "batdau", "start"),
    Command("nominate", "decu", "nominate"),
    Command("mine", "cuatoi", "mine"),
    Command("register", "dangky", "register"),
    Command("report", "baocao", "report"),
    Command("status", "tinhtrang", "status"),
    # Staff only: the menu is the same for everyone, so it is left out of it (/trogiup still lists it).
    Command("invite", "moi", "invite", in_menu=False),
    Command("answer", "traloi", "answer"),
    # The secretariat's desk, left out of the shared menu like /moi.
    Command("queue", "choduyet", "queue", in_menu=False),
    Command("view", "xem", "view", in_menu=False),
    Command("digest", "tonghop", "digest", in_menu=False),
    Command("announce", "thongbao", "announce", in_menu=False),
    Command("export", "xuat", "export", in_menu=False),
    Command("split", "tachdonvi", "split", in_menu=False),
    Command("commend", "khenthuong", "commend", in_menu=False),
    Command("decide", "quyetdinh", "decide", in_menu=False),
    Command("annex", "phuluc", "annex", in_menu=False),
    # A one-time link to the desk in a browser.
    Command("desk", "web", "desk", in_menu=False),
    Command("help", "trogiup", "help"),
    Command("lang", "ngonngu", "lang"),
    Command("back", "quaylai", "back"),
    Command("cancel", "huy", "cancel"),
)

_BY_ALIAS = {alias: command for command in COMMANDS for alias in command.aliases}


def find_command(word: str) -> Command | None:
    """The command a typed word names: "/decu", "decu", "/DECU@thidua_bot" all name `nominate`, and a phone
    keyboard's accents do not matter: "/hủy" and "/đề_cử" are "/huy" and "/decu"."""
    word = word.strip().lstrip("/").split("@", 1)[0].lower()
    return _BY_ALIAS.get(word) or _BY_ALIAS.get(fold(word).replace("_", "").replace(" ", ""))
