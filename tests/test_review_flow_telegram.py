"""Review through the real python-telegram-bot Application on the fake Bot API: the card delivered by the
outbox worker to each reviewer's chat, two reviewers pressing at the same moment, and the nominator's
answer to a question, all against one SQLite file."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.app import App, build_app
from bot.channels.telegram.application import TelegramApp, build_application
from bot.channels.telegram.sender import TelegramSender
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from bot.outbox.limits import ChannelLimits
from bot.outbox.worker import OutboxWorker
from bot.settings import Settings
from tests.support.conversations import PNG
from tests.support.db import db_rows
from tests.support.fake_sender import fake_sleep
from tests.support.roles import invite_code
from tests.support.telegram_chat import TelegramChat, nominate_up_to_evidence
from tests.support.telegram_fake import FakeTelegram, Updates

FAST = {"telegram": ChannelLimits(per_second=1000)}
PHONE = "+84912345678"
PDF = b"%PDF-1.4\n% a letter of commendation\n"


@dataclass
class Desk:
    app: App
    application: TelegramApp
    fake: FakeTelegram
    worker: OutboxWorker
    nominator: TelegramChat
    lan: TelegramChat
    minh: TelegramChat

    async def deliver(self) -> int:
        """What the outbox holds goes out now, through Telegram."""
        return await self.worker.drain()


@pytest.fixture
async def desk(tg_settings: Settings, clock: FixedClock) -> AsyncIterator[Desk]:
    app = await build_app(tg_settings, clock)
    fake = FakeTelegram()
    application = build_application(app, fake)
    await application.initialize()
    worker = OutboxWorker(app.db, {"telegram": TelegramSender(application.bot)}, clock, FAST, sleep=fake_sleep(clock))

    def chat(user_id: int, name: str) -> TelegramChat:
        return TelegramChat(application, fake, Updates(user_id=user_id, first_name=name))

    found = Desk(app, application, fake, worker, chat(5001, "Bình"), chat(6001, "Lan"), chat(6002, "Minh"))
    for reviewer in (found.lan, found.minh):
        out = await reviewer.say(f"/dangky {await invite_code(app, Grant(role=Role.SECRETARIAT))}")
        assert "Đăng ký thành công" in out[0]
    try:
        yield found
    finally:
        await application.shutdown()
        await app.close()


async def nominate(tg: TelegramChat) -> str:
    await nominate_up_to_evidence(tg)
    await tg.press("Bỏ qua")
    await tg.say("Lê Thị Bảy")
    await tg.feed(tg.updates.contact("84912345678"))
    await tg.press("Tôi xác nhận")
    out = await tg.press("Gửi")
    return next(w.strip(".,:;()") for w in out[0].split() if w.startswith("NTVT-"))


def decisions(desk: Desk) -> list[tuple[object, ...]]:
    return db_rows(
        desk.app.settings,
        "SELECT action, actor_user_id FROM audit_log WHERE action IN"
        " ('nomination.approved', 'nomination.rejected') ORDER BY id",
    )


def nominator_outcomes(desk: Desk) -> list[tuple[object, ...]]:
    return db_rows(
        desk.app.settings,
        "SELECT dedup_key FROM outbox WHERE chat_id = '5001' AND kind = 'review' ORDER BY id",
    )


async def test_the_card_reaches_each_reviewer_with_the_phone_and_its_buttons(desk: Desk) -> None:
    reference = await nominate(desk.nominator)
    assert await desk.deliver() == 2
    for reviewer in (desk.lan, desk.minh):
        card = reviewer.last_keyboard()
        assert card.params["text"].startswith(f"🆕 Đề cử mới cần xét: {reference}")
        assert f"Người đề cử: Lê Thị Bảy — {PHONE}" in card.params["text"]
        assert [[b["text"] for b in row] for row in card.markup["inline_keyboard"]] == [
            ["✅ Duyệt", "❓ Hỏi thêm", "❌ Từ chối"]
        ]
    # The nominator's own chat never shows the card.
    assert all("Đề cử mới cần xét" not in text for text in desk.fake.texts(5001))


async def test_two_reviewers_approving_at_once_make_one_decision(desk: Desk) -> None:
    reference = await nominate(desk.nominator)
    await desk.deliver()
    for reviewer in (desk.lan, desk.minh):
        out = await reviewer.press("Duyệt")
        assert "Có chọn đăng trên chuyên mục" in out[-1]
    lan_out, minh_out = await asyncio.gather(desk.lan.press("Chỉ duyệt"), desk.minh.press("Duyệt và đăng"))
    won = [out for out in (lan_out, minh_out) if "✅ Đã duyệt đề cử" in out[0]]
    lost = [out for out in (lan_out, minh_out) if "xử lý trước" in out[0]]
    assert len(won) == 1 and len(lost) == 1
    winner = "Lan" if won[0] is lan_out else "Minh"
    assert lost[0][0].startswith(f"Đề cử {reference} đã được {winner} xử lý trước: Đã được duyệt.")

    assert [action for action, _ in decisions(desk)] == ["nomination.approved"]
    assert db_rows(desk.app.settings, "SELECT status FROM nominations") == [("approved",)]
    assert nominator_outcomes(desk) == [("review:approved:1",)]
    await desk.deliver()
    told = [t for t in desk.fake.texts(5001) if "Sở Nội vụ duyệt" in t]
    assert len(told) == 1 and PHONE not in told[0]


async def test_approve_and_reject_pressed_at_once_make_one_decision(desk: Desk) -> None:
    reference = await nominate(desk.nominator)
    await desk.deliver()
    await desk.lan.press("Duyệt")
    await desk.minh.press("Từ chối")
    out = await desk.minh.say("Chưa đủ căn cứ xác minh.")
    assert "Xem lại trước khi gửi" in out[-1]
    lan_out, minh_out = await asyncio.gather(desk.lan.press("Chỉ duyệt"), desk.minh.press("Gửi"))

    (decision,) = decisions(desk)
    approved = decision[0] == "nomination.approved"
    winner_out, loser_out = (lan_out, minh_out) if approved else (minh_out, lan_out)
    assert ("✅ Đã duyệt đề cử" if approved else "❌ Đã từ chối đề cử") in winner_out[0]
    winner = "Lan" if approved else "Minh"
    status = "Đã được duyệt" if approved else "Không được chấp nhận"
    assert loser_out[0].startswith(f"Đề cử {reference} đã được {winner} xử lý trước: {status}.")
    assert len(nominator_outcomes(desk)) == 1
    await desk.deliver()
    outcomes = [t for t in desk.fake.texts(5001) if "Sở Nội vụ duyệt" in t or "chưa được chấp nhận" in t]
    assert len(outcomes) == 1


async def test_a_question_and_its_answer_through_telegram(desk: Desk) -> None:
    reference = await nominate(desk.nominator)
    await desk.deliver()
    await desk.lan.press("Hỏi thêm")
    await desk.lan.say("Anh Sáu làm nghề gì?")
    out = await desk.lan.press("Gửi")
    assert "Đã gửi câu hỏi" in out[0]
    await desk.deliver()
    question = desk.nominator.last_keyboard()
    assert "«Anh Sáu làm nghề gì?»" in question.params["text"] and question.buttons == ["✍️ Trả lời"]
    out = await desk.nominator.press("Trả lời")
    assert "Bước 1/2" in out[-1]
    await desk.nominator.say("Anh Sáu là giáo viên trường tiểu học xã.")
    await desk.nominator.press("Bỏ qua")
    out = await desk.nominator.press("Gửi")
    assert f"Đã gửi câu trả lời về đề cử {reference}" in out[0]
    await desk.deliver()
    for reviewer in (desk.lan, desk.minh):
        notice = reviewer.last_keyboard()
        assert "Trả lời: Anh Sáu là giáo viên trường tiểu học xã." in notice.params["text"]
        assert notice.buttons == ["✅ Duyệt", "❓ Hỏi thêm", "❌ Từ chối"]
    assert db_rows(desk.app.settings, "SELECT status FROM nominations") == [("in_review",)]


async def test_the_evidence_reaches_the_reviewer_who_asks_as_an_album_and_a_file(desk: Desk) -> None:
    tg = desk.nominator
    await nominate_up_to_evidence(tg)
    photos = {"p1": PNG, "p2": PNG + b"second"}
    for file_id, data in photos.items():
        desk.fake.files[file_id] = data
        await tg.feed(tg.updates.photo(file_id, len(data)))
    desk.fake.files["d1"] = PDF
    out = await tg.feed(tg.updates.document("d1", "giay-khen.pdf", "application/pdf", len(PDF)))
    assert "Đã nhận 3/5 tệp" in out[-1]
    await tg.press("Xong")
    await tg.say("Lê Thị Bảy")
    await tg.feed(tg.updates.contact("84912345678"))
    await tg.press("Tôi xác nhận")
    await tg.press("Gửi")
    await desk.deliver()
    card = desk.lan.last_keyboard()
    assert "Minh chứng: 3 tệp" in card.params["text"]
    assert card.buttons[-1] == "📎 Xem minh chứng (3)"

    before = {chat: len(desk.fake.sent(chat)) for chat in (5001, 6001, 6002)}
    out = await desk.lan.press("Xem minh chứng")
    assert out[0].startswith("📎 Minh chứng của đề cử NTVT-2026-000001: 3 tệp")
    sent = desk.fake.sent(6001)[before[6001] :]
    assert [c.method for c in sent] == ["sendMessage", "sendMediaGroup", "sendDocument", "sendMessage"]
    album = sent[1]
    assert [item["type"] for item in album.params["media"]] == ["photo", "photo"]
    assert sorted(album.uploads.values()) == sorted(photos.values())
    assert list(sent[2].uploads.values()) == [PDF]
    # The decision is one press away, right under the files.
    assert "✅ Duyệt" in sent[3].buttons
    # Only the one who asked got them.
    assert len(desk.fake.sent(6002)) == before[6002] and len(desk.fake.sent(5001)) == before[5001]
