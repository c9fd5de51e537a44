"""Running `python -m bot ...` commands in this process (quick) against a database in a test folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from tests.support.config import CAMPAIGN


class Cli:
    def __init__(self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], folder: Path) -> None:
        self.capsys = capsys
        for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "ADMIN_TELEGRAM_IDS", "ADMIN_ZALO_IDS"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("DATABASE_URL", f"sqlite:///{folder / 'thidua.db'}")
        monkeypatch.setenv("DATA_DIR", str(folder / "data"))
        monkeypatch.setenv("CAMPAIGN_FILE", str(CAMPAIGN))
        monkeypatch.setenv("LOG_LEVEL", "WARNING")
        self.db = folder / "thidua.db"

    def __call__(self, *args: str) -> tuple[int, str]:
        """The exit code and what was printed."""
        self.capsys.readouterr()
        code = main(list(args))
        return code, self.capsys.readouterr().out
