"""Terminal mode is a whole bot: with no token, `run` runs the outbox, reminders and digests beside the chat,
and what the bot sends a terminal user on its own waits in their mailbox until their chat shows it (when it
opens, and while it is open). Driven in this process on a real SQLite file, stdin a pipe a test writes to."""

from __future__ import annotations

import asyncio
import io
import os
import sqlite3
from collections.abc import Callable

from bot.app import App
from bot.channels.console import ConsoleMailbox, run_console
from bot.cli.run import run_terminal
from tests.support.chat import Person
from tests.support.conversations import nominate, secretariat, status_of


async def until(condition: Callable[[], bool], what: str) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"never happened: {what}")


def outbox_settled(app: App) -> bool:
    with sqlite3.connect(app.db.path) as conn:
        row = conn.execute("SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')").fetchone()
    return bool(row[0] == 0)


async def test_a_card_reaches_a_terminal_secretary_whose_chat_is_open_and_the_outcome_waits_for_the_nominator(
    app: App,
) -> None:
    await secretariat(app, "3001")
    citizen = Person(app, "1001")
    reference = await nominate(citizen)

    read_end, write_end = os.pipe()
    typed = os.fdopen(write_end, "w", encoding="utf-8")
    out = io.StringIO()
    with os.fdopen(read_end, "r", encoding="utf-8") as stdin:
        running = asyncio.create_task(run_terminal(app, "3001", stdin=stdin, stdout=out, poll=0.02))
        try:
            # The outbox runs here: the card is delivered into the open chat, without a word typed.
            await until(lambda: "🆕 Đề cử mới cần xét" in out.getvalue() and outbox_settled(app), "the card")
            assert "  1. ✅ Duyệt" in out.getvalue()
            typed.write("1\n")
            typed.flush()
            await until(lambda: "Có chọn đăng trên chuyên mục" in out.getvalue(), "the approval question")
            typed.write("Chỉ duyệt\n")
            typed.flush()
            await until(lambda: status_of(app, reference) == "approved" and outbox_settled(app), "the decision")
        finally:
            typed.close()
            await running
    assert "Đã duyệt đề cử" in out.getvalue()

    # The nominator's chat was not open: the outcome waited in their mailbox, and shows when it opens.
    opened = io.StringIO()
    mailbox = ConsoleMailbox(app.db, app.services.clock)
    await run_console(app.engine, "1001", stdin=io.StringIO(""), stdout=opened, mailbox=mailbox)
    assert f"Đề cử {reference}" in opened.getvalue() and "duyệt" in opened.getvalue()
    # Shown once: opening the chat again shows nothing new.
    again = io.StringIO()
    await run_console(app.engine, "1001", stdin=io.StringIO(""), stdout=again, mailbox=mailbox)
    assert again.getvalue() == ""
