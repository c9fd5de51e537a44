"""Golden transcripts: one readable file per journey in tests/transcripts/, replayed on every messenger.

The format, a line at a time (blank lines and lines starting with `#` are for the reader):

    ! nomination            before the first input: a citizen on the terminal has sent the whole nomination
                            of tests.support.conversations.nominate (reference NTVT-2026-000001)
    > /decu                 the person types this (a command when it starts with /)
    > [Cá nhân]             the person picks the one choice of the last list whose label contains "Cá nhân":
                            a button pressed on Telegram, its number typed on Zalo and in the terminal
    < Bước 1/9 · …          the answer, every line of it that is not blank, in order and to the letter
    ? 👤 Cá nhân            the answer's choices, a line each, every label in full and in order; an answer
                            without `?` lines offers none
    * phone                 the answer asks for the phone number (Telegram: the share-contact key; Zalo and
                            the terminal say it in words)
    * files                 the answer takes files (Zalo says photos are what it carries)
    * refresh               the answer changes the list above in place (a tick): Telegram edits the buttons
                            and shows no text; the messengers with numbered lists show the text, the list
                            above still holding

`{invite ROLE [UNIT]}` in an input becomes a fresh invite code for that role (`{invite unit_rep H-THAPMUOI}`).

Each messenger's adapter (tests.support.transcript_chats) takes off what only it adds (Zalo's numbered list
and its hints, the terminal's numbers) and reports what is left: the lines, the choices, what is asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from bot.app import App
from bot.domain.policy import Grant, Role
from tests.support.chat import Person
from tests.support.conversations import nominate
from tests.support.roles import invite_code

FOLDER = Path(__file__).resolve().parent.parent / "transcripts"
ASKS = ("phone", "files", "refresh")
_INVITE = re.compile(r"\{invite (\w+)(?: ([\w-]+))?\}")


@dataclass(frozen=True)
class Press:
    label: str


@dataclass
class Step:
    said: str | Press
    lines: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)
    asks: set[str] = field(default_factory=set)
    where: int = 0  # the line of the input, for messages


@dataclass
class Journey:
    name: str
    setup: list[str]
    steps: list[Step]


def load(path: Path) -> Journey:
    setup: list[str] = []
    steps: list[Step] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        mark, _, rest = line.partition(" ")
        if mark == "!":
            assert not steps, f"{path.name}:{number}: set-up comes before the first input"
            setup.append(rest.strip())
        elif mark == ">":
            said: str | Press = Press(rest[1:-1]) if rest.startswith("[") and rest.endswith("]") else rest
            steps.append(Step(said, where=number))
        elif mark in ("<", "?", "*"):
            assert steps, f"{path.name}:{number}: an answer before any input"
            step = steps[-1]
            if mark == "<":
                assert rest.strip(), f"{path.name}:{number}: blank lines of an answer are not compared; leave them out"
                step.lines.append(rest)
            elif mark == "?":
                step.choices.append(rest)
            else:
                assert rest in ASKS, f"{path.name}:{number}: `* {rest}` is not one of {ASKS}"
                step.asks.add(rest)
        else:
            raise AssertionError(f"{path.name}:{number}: a line starts with >, <, ?, *, ! or #: {line!r}")
    return Journey(path.stem, setup, steps)


def journeys() -> list[Path]:
    return sorted(FOLDER.glob("*.txt"))


@dataclass
class Shown:
    """What one answer showed on a messenger, with what only that messenger adds taken off. `lines` is None
    where the messenger showed no text for it (a tick on Telegram)."""

    lines: list[str] | None
    choices: list[str]
    asks: set[str]


class TranscriptChat(Protocol):
    # The asks this messenger can show at all (Telegram says nothing of files).
    shows: frozenset[str]

    async def say(self, text: str) -> Shown: ...

    async def press(self, label: str) -> Shown: ...


def non_blank(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


async def set_up(app: App, journey: Journey) -> None:
    for directive in journey.setup:
        if directive == "nomination":
            await nominate(Person(app, "1001"))
        else:
            raise AssertionError(f"{journey.name}: no set-up called {directive!r}")


async def _expand(app: App, text: str) -> str:
    found = _INVITE.search(text)
    while found is not None:
        grant = Grant(role=Role(found.group(1)), unit_code=found.group(2))
        text = text[: found.start()] + await invite_code(app, grant) + text[found.end() :]
        found = _INVITE.search(text)
    return text


async def replay(app: App, journey: Journey, chat: TranscriptChat) -> None:
    """Each input in turn, each answer compared with the transcript's."""
    for step in journey.steps:
        where = f"{journey.name}.txt:{step.where}"
        if isinstance(step.said, Press):
            shown = await chat.press(step.said.label)
        else:
            shown = await chat.say(await _expand(app, step.said))
        refresh = "refresh" in step.asks
        if shown.lines is not None:
            assert shown.lines == step.lines, f"{where}: the answer differs\n" + "\n".join(
                _diff(step.lines, shown.lines)
            )
        else:
            assert refresh, f"{where}: nothing was shown"
        if not refresh:
            assert shown.choices == step.choices, (
                f"{where}: choices {shown.choices} where the transcript has {step.choices}"
            )
        assert shown.asks == step.asks & chat.shows, f"{where}: asks {shown.asks}, the transcript {step.asks}"


def _diff(expected: list[str], got: list[str]) -> list[str]:
    import difflib

    return list(difflib.unified_diff(expected, got, "transcript", "shown", lineterm="", n=1))
