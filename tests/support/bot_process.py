"""`python -m bot run` as a process of its own with both messengers faked, which a test can kill at the moment
it chooses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.support.config import CAMPAIGN, ROOT
from tests.support.telegram_fake import TOKEN
from tests.support.telegram_http_fake import HttpTelegram
from tests.support.zalo_fake import FakeZalo

TELEGRAM_SECRET = "tg-Secret_value-1"


# A process starting on a busy machine: imports, migrations, getMe.
STARTING = 60.0


CHILD = """
import asyncio, gc, os, sys
from pathlib import Path
sys.path.insert(0, {root!r})
# Loaded as bot/__main__.py loads the bot.
gc.disable()
from bot.cli import main
from bot.engine.engine import Engine
from bot.inbox.worker import InboxWorker
from bot.storage.inbox import NewClaim
gc.freeze()
gc.enable()

hold = Path(os.environ["TEST_HOLD_FILE"])
hold_after = Path(os.environ["TEST_HOLD_FILE"] + "-after")
hold_kept = Path(os.environ["TEST_HOLD_FILE"] + "-kept")
held_kept = Path(os.environ["TEST_HOLD_FILE"] + "-kept-reached")
answer = Engine.answer

async def held(self, *args, **kwargs):
    # Kept and acknowledged, not yet handled: the moment a kill loses an update if anything does.
    if hold.exists():
        await asyncio.Event().wait()
    outcome = await answer(self, *args, **kwargs)
    # Handled and committed, its replies not yet sent: the moment a kill loses a reference code.
    if hold_after.exists():
        await asyncio.Event().wait()
    return outcome

Engine.answer = held

handles_as_kept = InboxWorker._handles_as_kept

def as_kept(self, arrival):
    # While held, an update is kept (and acknowledged) before it is handled, not kept by its handling: so a
    # kill finds it kept and not handled.
    return not hold.exists() and handles_as_kept(self, arrival)

InboxWorker._handles_as_kept = as_kept

take = NewClaim.take

async def held_take(self, conn, now):
    taken = await take(self, conn, now)
    # Written by the transaction that handles it, not committed, not acknowledged: a kill must lose nothing.
    if hold_kept.exists():
        held_kept.touch()  # the test kills the process once it is here
        await asyncio.Event().wait()
    return taken

NewClaim.take = held_take
sys.exit(main(["run"]))
"""


@dataclass
class Fakes:
    telegram: HttpTelegram
    zalo: FakeZalo


class BotProcess:
    """`python -m bot run` in a process of its own, with both messengers, which the test kills."""

    def __init__(self, tmp_path: Path, fakes: Fakes, **settings: str) -> None:
        self.tmp_path = tmp_path
        self.hold = tmp_path / "hold"
        self.script = tmp_path / "child.py"
        self.script.write_text(CHILD.format(root=str(ROOT)), encoding="utf-8")
        self.env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'thidua.db'}",
            "DATA_DIR": str(tmp_path / "data"),
            "CAMPAIGN_FILE": str(CAMPAIGN),
            "LOG_LEVEL": "WARNING",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": fakes.telegram.base_url,
            "ZALO_BOT_TOKEN": fakes.zalo.token,
            "ZALO_API_BASE_URL": fakes.zalo.base_url,
            "TEST_HOLD_FILE": str(self.hold),
            # The browser desk would take its fixed port, which another run on this machine may hold.
            "WEB_ENABLED": "false",
            **settings,
        }
        self.child: subprocess.Popen[bytes] | None = None

    def start(self, *, holding: bool, log: Path | None = None) -> None:
        """Start the bot; what it logs goes to `log` when given (for the test to read), else to the test's output."""
        if holding:
            self.hold.touch()
        else:
            self.hold.unlink(missing_ok=True)
        self.holding_after(False)
        self.holding_while_kept(False)
        if log is None:
            self.child = subprocess.Popen([sys.executable, str(self.script)], env=self.env, cwd=self.tmp_path)
            return
        with log.open("wb") as output:
            self.child = subprocess.Popen(
                [sys.executable, str(self.script)], env=self.env, cwd=self.tmp_path, stdout=output, stderr=output
            )

    def holding_after(self, on: bool) -> None:
        self._holding("hold-after", on)

    def holding_while_kept(self, on: bool) -> None:
        self._holding("hold-kept", on)
        self._holding("hold-kept-reached", False)

    def held_while_kept(self) -> bool:
        """An update is being kept by the transaction handling it, which waits there and does not commit."""
        return (self.tmp_path / "hold-kept-reached").exists()

    def _holding(self, name: str, on: bool) -> None:
        file = self.tmp_path / name
        if on:
            file.touch()
        else:
            file.unlink(missing_ok=True)

    def kill(self) -> None:
        assert self.child is not None and self.child.poll() is None, "the bot stopped by itself"
        self.child.send_signal(signal.SIGKILL)
        self.child.wait(timeout=10)
        self.child = None
