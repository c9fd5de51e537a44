"""The terminal chat: choices shown numbered, lines read from standard input (so it can be scripted)."""

from __future__ import annotations

import asyncio
import mimetypes
import shlex
import sys
from pathlib import Path
from typing import TextIO

from bot.channels.terminal import CHANNEL
from bot.clock import Clock
from bot.conversation.messages import Attachment, Incoming, Kind, Reply
from bot.engine.engine import Engine, FileTooLarge
from bot.handlers.commands import find_command
from bot.storage.database import Database
from bot.storage.mailbox import MailboxRepo

FILE_PREFIX = "/file "


class LocalFiles:
    """In the terminal, "sending a file" means naming a path on this machine."""

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        return await asyncio.to_thread(_read_limited, Path(attachment.ref), max_bytes)


def _read_limited(path: Path, max_bytes: int) -> bytes:
    # Only a regular file, and never more than the limit: /dev/zero or a pipe would read without end.
    if not path.is_file():
        raise FileNotFoundError(f"{path} is not a regular file")
    with path.open("rb") as file:
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise FileTooLarge(str(path))
    return data


def parse_line(line: str, user_id: str, display_name: str | None) -> Incoming:
    text = line.rstrip("\r\n")
    base = {"channel": CHANNEL, "user_id": user_id, "chat_id": user_id, "display_name": display_name}
    if text.startswith(FILE_PREFIX):
        try:
            paths = shlex.split(text[len(FILE_PREFIX) :])
        except ValueError:  # an unclosed quote: the path as typed, without it
            paths = [text[len(FILE_PREFIX) :].strip().strip("\"'")]
        attachments = []
        for raw in paths:
            path = Path(raw).expanduser()
            size = path.stat().st_size if path.is_file() else None
            attachments.append(
                Attachment(ref=str(path), name=path.name, mime=mimetypes.guess_type(path.name)[0], size=size)
            )
        return Incoming(kind=Kind.FILE, attachments=tuple(attachments), **base)
    if text.startswith("/") and len(text) > 1 and not text[1:2].isspace():
        word, _, args = text[1:].partition(" ")
        if find_command(word) is not None or word.isidentifier():
            return Incoming(kind=Kind.COMMAND, command=word, args=args.strip(), text=text, **base)
    return Incoming(kind=Kind.TEXT, text=text, **base)


def render(reply: Reply) -> str:
    lines = [reply.text]
    # A refresh changes the choices of the list above, whose numbers still hold: it is not listed again.
    for number, choice in enumerate(() if reply.refresh else reply.choices, start=1):
        lines.append(f"  {number}. {choice.label}")
    if reply.request_contact:
        lines.append("  (📱)")
    for file in (reply.file, *reply.album) if reply.file is not None else reply.album:
        lines.append(f"  [{file.filename}: {file.path}]")
    return "\n".join(lines)


class ConsoleMailbox:
    """The terminal's Sender for the outbox: what the bot sends on its own to a terminal user waits in their
    mailbox (in the database, so another process's chat sees it) until their chat shows it."""

    channel = CHANNEL

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    async def send(self, chat_id: str, reply: Reply) -> None:
        async with self.db.transaction() as conn:
            await MailboxRepo(conn).put(chat_id, reply, self.clock.now())

    async def take(self, chat_id: str) -> list[Reply]:
        async with self.db.transaction() as conn:
            return await MailboxRepo(conn).take(chat_id, self.clock.now())


async def run_console(
    engine: Engine,
    user_id: str,
    display_name: str | None = None,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    mailbox: ConsoleMailbox | None = None,
    poll: float = 1.0,
) -> None:
    """The chat, until the end of input. With a mailbox, what the bot sent on its own is shown when the chat
    opens, after each answer, and while the person is typing (looked at every `poll` seconds)."""
    source = stdin or sys.stdin
    out = stdout or sys.stdout
    interactive = source.isatty()
    fetcher = LocalFiles()

    async def show_mail() -> bool:
        if mailbox is None:
            return False
        waiting = await mailbox.take(user_id)
        for reply in waiting:
            out.write(render(reply) + "\n\n")
        out.flush()
        return bool(waiting)

    if interactive:
        out.write("thidua-bot — gõ /batdau để bắt đầu, Ctrl-D để thoát (type /start; Ctrl-D quits)\n")
    await show_mail()
    while True:
        if interactive:
            out.write("> ")
            out.flush()
        reading = asyncio.ensure_future(asyncio.to_thread(source.readline))
        while not reading.done():
            await asyncio.wait({reading}, timeout=poll if mailbox is not None else None)
            if not reading.done() and await show_mail() and interactive:
                out.write("> ")
                out.flush()
        line = reading.result()
        if not line:
            break
        incoming = parse_line(line, user_id, display_name)
        for reply in await engine.handle(incoming, fetcher):
            out.write(render(reply) + "\n\n")
        out.flush()
        await show_mail()
