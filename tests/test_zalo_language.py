"""The words Zalo adds to a reminder (how to answer without buttons) are in the person's language: the one the
engine reported when they last wrote, or the stored one for someone the channel has not heard from."""

from __future__ import annotations

from pathlib import Path

from bot.clock import FixedClock
from bot.conversation.messages import Choice, Reply
from tests.support.zalo_fake import FakeZalo, ZaloChat, ZaloPerson, running_zalo

REMINDER = Reply(text="Nhắc hạn báo cáo", choices=(Choice(label="📝 Gửi báo cáo ngay", value="report"),))


async def test_a_reminder_carries_the_hint_in_the_language_chosen_in_the_chat(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    async with running_zalo(tmp_path, clock, fake_zalo) as (app, channel):
        chat = ZaloChat(fake_zalo, channel, ZaloPerson(user_id="zl-lan"))
        await chat.say("/batdau")
        sender = app.senders["zalo"]
        await sender.send("zl-lan", REMINDER)
        assert "trả lời bằng số thứ tự" in fake_zalo.texts("zl-lan")[-1]
        # The start menu's language button, then the second language by its number.
        await chat.say(str(chat.choices.index("🌐 Ngôn ngữ / Language") + 1))
        await chat.say("2")
        assert "Switched to English" in chat.text
        await sender.send("zl-lan", REMINDER)
        assert "Reply with the number" in fake_zalo.texts("zl-lan")[-1]


async def test_someone_not_heard_from_since_the_start_is_looked_up(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    async with running_zalo(tmp_path, clock, fake_zalo) as (_, channel):
        await ZaloChat(fake_zalo, channel, ZaloPerson(user_id="zl-an")).say("/lang en")
    # Another start of the channel on the same database knows nothing of the chat above.
    async with running_zalo(tmp_path, clock, fake_zalo) as (app, _):
        await app.senders["zalo"].send("zl-an", REMINDER)
        assert "Reply with the number" in fake_zalo.texts("zl-an")[-1]
