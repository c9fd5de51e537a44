"""One person replaying a transcript on each messenger: the engine itself, the terminal chat, Telegram (the real
python-telegram-bot Application over the fake Bot API) and Zalo (the channel's webhook over the fake Zalo API).
Each takes off what only its messenger adds and reports the rest (tests.support.transcripts.Shown)."""

from __future__ import annotations

import asyncio
import io
import queue
import re
from typing import Any

from bot.app import App
from bot.channels.console import run_console
from bot.conversation.messages import Kind, Reply
from bot.i18n import Catalog
from tests.support.conversations import Member
from tests.support.telegram_chat import TelegramChat
from tests.support.telegram_fake import Call, as_update
from tests.support.transcripts import Shown, non_blank
from tests.support.zalo_fake import ZaloChat

USER = "2001"
# Every messenger gives the bot the person's name, which it greets them by.
NAME = "Lan"


def _one(labels: list[str], part: str) -> int:
    """The position of the one label containing `part`."""
    found = [i for i, label in enumerate(labels) if part in label]
    assert len(found) == 1, f"no single choice {part!r} among {labels}"
    return found[0]


class EngineChat:
    """Straight to the engine, as every channel hands it a person's messages."""

    shows = frozenset({"phone", "files", "refresh"})

    def __init__(self, app: App) -> None:
        self.person = Member(app, USER, NAME)
        self.choices: list[str] = []

    def _shown(self, replies: list[Reply]) -> Shown:
        listed = [r for r in replies if r.choices]
        if listed:
            self.person.last = listed  # what `tap` presses on: the latest choices, ticks included
        offered = [r for r in listed if not r.refresh]
        asks = {
            name
            for name, present in (
                ("phone", any(r.request_contact for r in replies)),
                ("files", any(r.accepts_files for r in replies)),
                ("refresh", any(r.refresh for r in replies)),
            )
            if present
        }
        lines = [line for r in replies for line in non_blank(r.text)]
        return Shown(lines, [c.label for c in offered[-1].choices] if offered else [], asks)

    async def say(self, text: str) -> Shown:
        return self._shown(await self.person.say(text))

    async def press(self, label: str) -> Shown:
        offered = [c for r in self.person.last for c in r.choices]
        choice = offered[_one([c.label for c in offered], label)]
        return self._shown(await self.person.send_kind(Kind.CHOICE, choice=choice.value))


class _Typing:
    """Standard input the terminal chat reads a line at a time, fed by the test; each read says the answer to
    the line before has been written."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.lines: queue.Queue[str] = queue.Queue()
        self.loop = loop
        self.waiting: asyncio.Queue[None] = asyncio.Queue()

    def isatty(self) -> bool:
        return False

    def readline(self) -> str:
        self.loop.call_soon_threadsafe(self.waiting.put_nowait, None)
        return self.lines.get()


_LISTED = re.compile(r"^  (\d+)\. (.*)$")


class TerminalChat:
    """The terminal chat (bot.channels.console.run_console) in this process, its input fed a line at a time."""

    shows = frozenset({"phone"})

    def __init__(self, app: App) -> None:
        self.app = app
        self.out = io.StringIO()
        self.listed: list[str] = []
        self.task: asyncio.Task[None] | None = None
        self.typing: _Typing | None = None

    async def start(self) -> None:
        self.typing = _Typing(asyncio.get_running_loop())
        self.task = asyncio.create_task(run_console(self.app.engine, USER, NAME, stdin=self.typing, stdout=self.out))  # type: ignore[arg-type]
        await self.typing.waiting.get()

    async def stop(self) -> None:
        assert self.typing is not None and self.task is not None
        self.typing.lines.put("")  # the end of input
        await self.task

    async def say(self, text: str) -> Shown:
        assert self.typing is not None
        start = self.out.tell()
        self.typing.lines.put(text + "\n")
        await self.typing.waiting.get()
        return self._shown(self.out.getvalue()[start:])

    async def press(self, label: str) -> Shown:
        return await self.say(str(_one(self.listed, label) + 1))

    def _shown(self, printed: str) -> Shown:
        lines: list[str] = []
        lists: list[list[str]] = []
        asks: set[str] = set()
        after_list = False
        for line in non_blank(printed):
            numbered = _LISTED.match(line)
            if numbered:
                if not after_list:
                    lists.append([])
                lists[-1].append(numbered.group(2))
            elif line == "  (📱)":
                asks.add("phone")
            else:
                lines.append(line)
            after_list = numbered is not None
        if lists:
            self.listed = lists[-1]
        return Shown(lines, lists[-1] if lists else [], asks)


class TelegramTranscriptChat:
    """The real Application, fed Bot API updates; what it sent read back from the fake Bot API."""

    shows = frozenset({"phone", "refresh"})

    def __init__(self, chat: TelegramChat) -> None:
        self.chat = chat
        self.keyboard: Call | None = None

    def _calls(self) -> list[Call]:
        return [c for c in self.chat.fake.calls if c.ok]

    async def _feed(self, data: dict[str, Any]) -> Shown:
        before = len(self._calls())
        await self.chat.application.process_update(as_update(data, self.chat.application.bot))
        calls = [c for c in self._calls()[before:] if str(c.params.get("chat_id")) == str(self.chat.chat_id)]
        sent = [c for c in calls if c.method in ("sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup")]
        edits = [c for c in calls if c.method == "editMessageReplyMarkup"]
        asks: set[str] = set()
        lines: list[str] = []
        for call in sent:
            keys = call.markup.get("keyboard", [])
            if any(b.get("request_contact") for row in keys for b in row):
                asks.add("phone")
                if call.params.get("text") == keys[0][0]["text"]:
                    continue  # the message that only carries the share-contact key
            lines += non_blank(str(call.params.get("text") or call.params.get("caption") or ""))
        new_ids = {c.result["message_id"] for c in sent if isinstance(c.result, dict)}
        keyboards = [c for c in sent if c.buttons] + [e for e in edits if e.params.get("message_id") in new_ids]
        choices = keyboards[-1].buttons if keyboards else []
        if keyboards:
            self.keyboard = keyboards[-1]
        if not sent and edits:
            asks.add("refresh")
            self.keyboard = edits[-1]
            return Shown(None, [], asks)
        return Shown(lines, choices, asks)

    async def say(self, text: str) -> Shown:
        return await self._feed(self.chat.updates.text(text))

    async def press(self, label: str) -> Shown:
        assert self.keyboard is not None, "no buttons were shown"
        buttons = [b for row in self.keyboard.markup["inline_keyboard"] for b in row]
        button = buttons[_one([b["text"] for b in buttons], label)]
        return await self._feed(self.chat.updates.press(button["callback_data"], on=self.keyboard))


class ZaloTranscriptChat:
    """Updates posted to the channel's webhook; what it sent read back from the fake Zalo API. Zalo has no
    buttons: choices come as a numbered list with a hint, and a choice is picked by typing its number."""

    shows = frozenset({"phone", "files"})

    def __init__(self, chat: ZaloChat, catalog: Catalog) -> None:
        self.chat = chat
        self.listed: list[str] = []
        self.notes = {
            key: {catalog.t(lang, f"zalo.{key}") for lang in ("vi", "en")}
            for key in ("choices_hint", "type_phone", "photos_only")
        }

    async def say(self, text: str) -> Shown:
        sent = await self.chat.say(text)
        lines: list[str] = []
        choices: list[str] = []
        asks: set[str] = set()
        for message in sent:
            blocks = message.split("\n\n")
            # Zalo's notes close a message, a line each, after a blank line.
            notes = [self._note(line) for line in blocks[-1].splitlines()]
            hinted = False
            if len(blocks) > 1 and notes and all(notes):
                blocks.pop()
                hinted = "choices_hint" in notes
                asks |= {{"type_phone": "phone", "photos_only": "files"}[n] for n in notes if n and n != "choices_hint"}
            if hinted:
                listed = [re.match(r"^\d+\. (.*)$", line) for line in blocks.pop().splitlines()]
                assert all(listed), f"a hint without its numbered list: {message!r}"
                choices = [m.group(1) for m in listed if m]
                self.listed = choices
            lines += non_blank("\n\n".join(blocks))
        return Shown(lines, choices, asks)

    def _note(self, line: str) -> str | None:
        return next((key for key, texts in self.notes.items() if line.strip() in texts), None)

    async def press(self, label: str) -> Shown:
        return await self.say(str(_one(self.listed, label) + 1))
