"""Long polling on PostgreSQL: `python -m bot run` says at start-up that it must be the only worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.bot_process import STARTING, BotProcess, Fakes
from tests.support.zalo_fake import wait_for

pytestmark = pytest.mark.parametrize("db_engine", ["postgresql"])

WARNING = "Telegram by long polling: run one worker only, or set a webhook to run several"


async def test_a_worker_polling_on_postgresql_says_it_must_be_the_only_one(
    database_url: str, tmp_path: Path, fakes: Fakes
) -> None:
    log = tmp_path / "bot.log"
    bot = BotProcess(tmp_path, fakes, DATABASE_URL=database_url, ZALO_BOT_TOKEN="")
    bot.start(holding=False, log=log)
    try:
        # Polling under way: whatever start-up says has been said.
        await wait_for(lambda: "getUpdates" in fakes.telegram.calls, STARTING)
    finally:
        bot.kill()
    assert WARNING in log.read_text(encoding="utf-8")
