"""A number or a label typed answers the latest message with choices in that chat, whichever it was: the
bot's answer to the person (a menu, a step) or a message the bot sent on its own (a card, a reminder).
Nothing acts on a message that is not the latest: an older card is opened again to be answered."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from bot.app import App
from bot.clock import FixedClock
from bot.conversation.messages import Choice, Reply
from bot.outbox.limits import ChannelLimits
from bot.outbox.worker import OutboxWorker
from bot.storage.outbox import OutboxRepo
from bot.storage.users import UserRepo
from tests.support.chat import Person
from tests.support.conversations import nominate, secretariat, status_of
from tests.support.fake_sender import FakeSender, fake_sleep
from tests.support.roles import representative

# Each database test runs on SQLite and on PostgreSQL.
BOTH_ENGINES = True

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


async def test_a_reminder_that_arrives_during_a_draft_is_what_a_number_answers(app: App, clock: FixedClock) -> None:
    rep = await representative(app, "2001", "H-LAPVO")
    await rep.say("/decu")
    assert "Bước 1/9" in rep.text
    await deliver(app, clock, "2001")
    await rep.say("1")
    # The reminder's one choice, sending a report: the draft is not dropped for it, and is asked again.
    assert "Bước 2/9" not in rep.text
    assert "Bước 1/9" in rep.text
    assert "Bạn đang làm dở" in rep.text
    await rep.say("1")
    assert "Bước 2/9" in rep.text  # now the draft's question is the latest: an individual


class SlowSender(FakeSender):
    """A messenger that takes a while: `meanwhile` runs while a message is on its way."""

    def __init__(self, clock: FixedClock, meanwhile: Callable[[], Awaitable[object]]) -> None:
        super().__init__("console", clock=clock)
        self.fixed = clock
        self.meanwhile = meanwhile

    async def send(self, chat_id: str, reply: Reply) -> None:
        self.fixed.advance(dt.timedelta(seconds=1))
        await self.meanwhile()
        await super().send(chat_id, reply)


def worker_for(app: App, clock: FixedClock, sender: FakeSender) -> OutboxWorker:
    limits = {"console": ChannelLimits(per_second=100)}
    return OutboxWorker(app.db, {"console": sender}, clock, limits, sleep=fake_sleep(clock))


async def test_a_number_at_the_main_menu_after_a_card_arrived_starts_a_nomination(app: App, clock: FixedClock) -> None:
    lan = await secretariat(app, "3001")
    reference = await nominate(Person(app, "1001"))
    # The card goes out while the secretary opens the main menu: the menu is the latest message.
    sender = SlowSender(clock, lambda: lan.say("/batdau"))
    while await worker_for(app, clock, sender).run_once():
        pass
    assert [text.splitlines()[0] for _, text in sender.delivered] == [f"🆕 Đề cử mới cần xét: {reference}"]
    assert "Đề cử người tốt, việc tốt" in lan.buttons[0]
    clock.advance(dt.timedelta(seconds=5))
    await lan.say("1")
    assert "Bước 1/9" in lan.text and "Duyệt đề cử" not in lan.text
    assert status_of(app, reference) == "submitted"


async def test_of_three_cards_a_number_answers_the_last_and_an_older_one_is_opened_again(
    app: App, clock: FixedClock
) -> None:
    lan = await secretariat(app, "3001")
    await lan.say("/batdau")
    citizen = Person(app, "1001")
    references = [await nominate(citizen, name) for name in ("Nguyễn Văn An", "Lê Thị Hoa", "Trần Văn Ba")]
    sender = FakeSender("console", clock=clock)
    for _ in references:
        clock.advance(dt.timedelta(seconds=2))
        await worker_for(app, clock, sender).run_once()
    assert len(sender.delivered) == 3
    clock.advance(dt.timedelta(seconds=2))
    await lan.say("1")  # the latest card's first choice: approve Trần Văn Ba's
    assert f"Duyệt đề cử {references[2]} (Trần Văn Ba)" in lan.text
    await lan.say("/huy")
    await lan.say(f"/xem {references[0]}")
    await lan.say("1")
    assert f"Duyệt đề cử {references[0]} (Nguyễn Văn An)" in lan.text
