"""Digests through python-telegram-bot on the fake Bot API: /tonghop answered with the chart as a photo, and
the weekly digest delivered by the outbox worker to the secretariat's group, text first, then the picture."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import build_app
from bot.channels.registry import CHANNELS
from bot.channels.telegram.sender import TelegramSender
from bot.clock import FixedClock
from bot.digests.jobs import run_digests
from bot.domain.policy import Grant, Role
from bot.outbox.worker import OutboxWorker
from tests.support.config import make_settings
from tests.support.fake_sender import fake_sleep
from tests.support.roles import invite_code
from tests.support.telegram_chat import open_chat
from tests.support.telegram_fake import TOKEN

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
PNG_HEADER = b"\x89PNG\r\n\x1a\n"
GROUP = -1001234567


async def test_the_chart_arrives_as_a_photo_on_telegram(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, telegram_bot_token=TOKEN, secretariat_chats=f"telegram:{GROUP}")
    clock = FixedClock(dt.datetime(2026, 12, 3, 10, 0, tzinfo=TZ))
    app = await build_app(settings, clock)
    tg = await open_chat(app)
    try:
        await tg.say(f"/dangky {await invite_code(app, Grant(role=Role.SECRETARIAT))}")
        before = len(tg.sent())
        out = await tg.say("/tonghop")
        assert out[0].startswith("📰 TỔNG HỢP ĐẾN 10:00 03/12/2026")
        [photo] = [c for c in tg.sent()[before:] if c.method == "sendPhoto"]
        assert photo.params["caption"] == "📊 Báo cáo theo cụm, khối đến 10:00 03/12/2026"
        assert photo.uploads["photo"].startswith(PNG_HEADER) and len(photo.uploads["photo"]) > 10_000

        # The weekly digest of Monday 7/12 goes to the group and to the member, through the outbox.
        clock.set(dt.datetime(2026, 12, 7, 7, 0, tzinfo=TZ))
        await run_digests(app.db, app.services)
        clock.set(dt.datetime(2026, 12, 7, 8, 0, tzinfo=TZ))
        assert await run_digests(app.db, app.services) == 4
        worker = OutboxWorker(
            app.db,
            {"telegram": TelegramSender(tg.application.bot)},
            clock,
            CHANNELS.limits(settings),
            sleep=fake_sleep(clock),
        )
        assert await worker.drain() == 4
        group = tg.fake.sent(GROUP)
        assert [c.method for c in group] == ["sendMessage", "sendPhoto"]
        assert group[0].params["text"].startswith("📰 TỔNG HỢP HẰNG TUẦN — 08:00 07/12/2026")
        assert group[1].uploads["photo"].startswith(PNG_HEADER)
        assert [c.method for c in tg.sent()[-2:]] == ["sendMessage", "sendPhoto"]
    finally:
        await tg.application.shutdown()
        await app.close()
