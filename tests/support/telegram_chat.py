"""One person talking to the real python-telegram-bot Application over the fake Bot API transport."""

from __future__ import annotations

from typing import Any

from bot.app import App
from bot.channels.telegram.application import TelegramApp, build_application
from tests.support.telegram_fake import Call, FakeTelegram, Updates, as_update

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


DEED = "Anh đã cứu hai em nhỏ bị đuối nước trên sông Tiền chiều ngày 12 tháng 7 vừa qua."


class TelegramChat:
    """One person talking to the bot: updates go in through Application.process_update, and what the
    bot sent to their chat is read back from the fake transport."""

    def __init__(self, application: TelegramApp, fake: FakeTelegram, updates: Updates) -> None:
        self.application = application
        self.fake = fake
        self.updates = updates
        self.chat_id = updates.user_id

    async def feed(self, data: dict[str, Any]) -> list[str]:
        before = len(self.fake.sent(self.chat_id))
        await self.application.process_update(as_update(data, self.application.bot))
        return self.fake.texts(self.chat_id)[before:]

    async def say(self, text: str) -> list[str]:
        return await self.feed(self.updates.text(text))

    def sent(self) -> list[Call]:
        return self.fake.sent(self.chat_id)

    def last_keyboard(self) -> Call:
        return next(c for c in reversed(self.sent()) if "inline_keyboard" in c.markup)

    async def press(self, label_part: str, on: Call | None = None) -> list[str]:
        message = on or self.last_keyboard()
        buttons = [b for row in message.markup["inline_keyboard"] for b in row if label_part in b["text"]]
        assert len(buttons) == 1, f"{label_part!r} is not a single button of {message.buttons}"
        return await self.feed(self.updates.press(buttons[0]["callback_data"], on=message))


async def open_chat(app: App, updates: Updates | None = None) -> TelegramChat:
    fake = FakeTelegram()
    application = build_application(app, fake)
    await application.initialize()
    return TelegramChat(application, fake, updates or Updates())


async def nominate_up_to_evidence(tg: TelegramChat) -> None:
    await tg.say("/decu")
    await tg.press("Cá nhân")
    await tg.say("Huỳnh Văn Sáu")
    await tg.say("thap muoi")
    await tg.press("chuyển đổi số")
    out = await tg.say(DEED)
    assert "Bước 6/9" in out[-1]
