"""A message the bot sends on its own with choices: where choices are a numbered list, "1" picks its first
one, unless the person is in the middle of a conversation whose own question "1" answers."""

from __future__ import annotations

from bot.app import App
from bot.clock import FixedClock
from bot.engine.messages import Choice, Reply
from bot.outbox.limits import ChannelLimits
from bot.outbox.worker import OutboxWorker
from bot.storage.outbox import OutboxRepo
from bot.storage.users import UserRepo
from tests.fake_sender import FakeSender, fake_sleep
from tests.roles import representative

REMINDER = Reply(text="⏰ Nhắc hạn báo cáo", choices=(Choice(label="📝 Gửi báo cáo ngay", value="menu:report"),))


async def deliver(app: App, clock: FixedClock, user_id: str) -> None:
    now = clock.now()
    async with app.db.transaction() as conn:
        user = await UserRepo(conn).get("console", user_id)
        assert user is not None
        await OutboxRepo(conn).enqueue(
            f"test:{user_id}", "console", user_id, REMINDER, "reminder", now, user_id=user.id
        )
    sender = FakeSender("console", clock=clock)
    worker = OutboxWorker(
        app.db, {"console": sender}, clock, {"console": ChannelLimits(per_second=100)}, sleep=fake_sleep(clock)
    )
    while await worker.run_once():
        pass
    assert sender.delivered == [(user_id, REMINDER.text)]


async def test_typing_the_number_of_a_reminders_button_starts_the_report(app: App, clock: FixedClock) -> None:
    rep = await representative(app, "2001", "H-LAPVO")
    await deliver(app, clock, "2001")
    await rep.say("1")
    assert "Bước 1/" in rep.text and "báo cáo" in rep.text.lower()


async def test_a_draft_in_progress_keeps_its_own_numbered_choices(app: App, clock: FixedClock) -> None:
    rep = await representative(app, "2001", "H-LAPVO")
    await rep.say("/decu")
    assert "Bước 1/9" in rep.text
    await deliver(app, clock, "2001")
    await rep.say("1")
    assert "Bước 2/9" in rep.text  # "1" answered the draft's question (an individual), not the reminder
