"""Phone numbers only where they are needed: not on the cards a shared desk chat reads, and removed from
abandoned drafts and from sent messages once the retention period (30 days by default) has passed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from apscheduler.triggers.interval import IntervalTrigger

from bot.app import build_app
from bot.clock import FixedClock
from bot.outbox.limits import ChannelLimits
from bot.outbox.worker import OutboxWorker
from bot.reminders.retention import sweep_phone_numbers
from bot.scheduler import RETENTION_JOB, build_scheduler
from bot.storage.retention import REMOVED, Swept
from tests.support.chat import Person
from tests.support.config import make_settings
from tests.support.conversations import answer_up_to_nominator, answer_up_to_summary, secretariat
from tests.support.db import file_rows
from tests.support.fake_sender import FakeSender, fake_sleep

PHONE = "+84912345678"


async def test_phones_leave_drafts_and_sent_messages_after_the_retention_period(
    tmp_path: Path, clock: FixedClock
) -> None:
    settings = make_settings(tmp_path, secretariat_chats="telegram:-100777", phone_retention_days=30)
    app = await build_app(settings, clock)
    try:
        await secretariat(app, "3001")
        # A nomination sent (its cards carry the number to the person at the desk) ...
        binh = Person(app, "1001")
        await answer_up_to_summary(binh)
        await binh.tap("Gửi")
        # ... and a draft left at its last step with the number typed in.
        left = Person(app, "1002")
        await answer_up_to_nominator(left)
        await left.say("Lê Văn Cường")
        await left.say("0987 654 321")
        assert "+84987654321" in left.text

        worker = OutboxWorker(
            app.db,
            {"console": FakeSender("console", clock=clock), "telegram": FakeSender("telegram", clock=clock)},
            clock,
            {"console": ChannelLimits(per_second=100), "telegram": ChannelLimits(per_second=100)},
            sleep=fake_sleep(clock),
        )
        while await worker.run_once():
            pass
        sent = file_rows(app.db.path, "SELECT chat_id, payload FROM outbox WHERE status = 'sent' ORDER BY chat_id")
        assert [chat for chat, _ in sent] == ["-100777", "3001"]
        assert PHONE in str(sent[1][1]) and "912" not in str(sent[0][1])  # the shared chat never had it

        def draft() -> dict[str, object]:
            ((state,),) = file_rows(
                app.db.path,
                "SELECT state FROM sessions WHERE user_id = (SELECT id FROM users WHERE external_id = '1002')",
            )
            return dict(json.loads(str(state))["data"])

        # A day short of the period: everything is still there.
        clock.set(clock.now() + dt.timedelta(days=29))
        assert await sweep_phone_numbers(app.db, app.services) == Swept(drafts=0, messages=0)
        assert draft()["phone"] == "+84987654321"
        clock.set(clock.now() + dt.timedelta(days=2))
        swept = await sweep_phone_numbers(app.db, app.services)
        assert (swept.drafts, swept.messages) == (1, 1)

        assert "phone" not in draft() and draft()["name"] == "Nguyễn Văn An"  # the rest of the draft is kept
        payloads = " ".join(str(p) for (p,) in file_rows(app.db.path, "SELECT payload FROM outbox"))
        assert "912" not in payloads and "987" not in payloads and REMOVED in payloads
        # The nomination keeps its nominator's number for the secretariat: only the copies are gone.
        assert file_rows(app.db.path, "SELECT nominator_phone FROM nominations") == [(PHONE,)]
        # Sweeping again changes nothing.
        swept = await sweep_phone_numbers(app.db, app.services)
        assert (swept.drafts, swept.messages) == (0, 0)

        # The person who left comes back: the draft resumes, and the number is asked again.
        await left.say("/decu")
        assert "Bạn đang làm dở" in left.text and "Bước 9/9" in left.text
        await left.tap("Tôi xác nhận")
        assert "Bước 8/9" in left.text and "Số điện thoại" in left.text
        await left.say("0987 654 321")
        assert "Xem lại trước khi gửi" in left.text and "+84987654321" in left.text
    finally:
        await app.close()


async def test_the_sweep_is_woken_with_the_reminders(tmp_path: Path, clock: FixedClock) -> None:
    app = await build_app(make_settings(tmp_path), clock)
    try:
        job = build_scheduler(app.db, app.services).get_job(RETENTION_JOB)
        assert job is not None and isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == dt.timedelta(minutes=1)
    finally:
        await app.close()
