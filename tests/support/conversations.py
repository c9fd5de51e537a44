"""Stretches of the conversations as people live them in Vietnamese: a nomination up to its summary, a whole
one, a year-end report, and the secretariat who reads what the bot queued for them."""

from __future__ import annotations

from pathlib import Path

from bot.app import App
from bot.conversation.messages import Kind, Reply
from bot.domain.policy import Grant, Role
from tests.support.chat import Person
from tests.support.db import rows
from tests.support.engines import select
from tests.support.roles import registered

DEED = "Ông đã vận động bà con góp tiền làm lại cây cầu khỉ cho học sinh đi học an toàn."


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def answer_up_to_evidence(
    person: Person, nominee: str = "Nguyễn Văn An", place: str = "thap muoi", area: str = "nông thôn mới"
) -> None:
    """/decu answered for one person up to the evidence files: the nominee, their commune, the area (a
    button's words) and the deed."""
    await person.say("/decu")
    assert "Bước 1/9" in person.text
    await person.tap("Cá nhân")
    assert "Bước 2/9" in person.text
    await person.say(nominee)
    await person.say(place)
    assert "Bước 4/9" in person.text
    await person.tap(area)
    await person.say(DEED)
    assert "Bước 6/9" in person.text


async def answer_up_to_nominator(person: Person) -> None:
    await answer_up_to_evidence(person)
    await person.tap("Bỏ qua")


async def answer_up_to_summary(person: Person, *, anonymous: bool = False) -> None:
    await answer_up_to_nominator(person)
    if anonymous:
        await person.tap("Ẩn danh")
        assert "Bước 8/8" in person.text
    else:
        await person.say("Trần Thị Bình")
        assert "Bước 8/9" in person.text
        await person.say("0912 345 678")
        assert "+84912345678" in person.text
    await person.tap("Tôi xác nhận")
    assert "Xem lại trước khi gửi" in person.text


class Member(Person):
    """A person who also reads what the bot sent them on its own initiative (the queued outbox rows)."""

    seen = 0

    def __init__(self, app: App, user_id: str, name: str | None = None) -> None:
        super().__init__(app, user_id)
        self.name = name

    def _base(self) -> dict[str, object]:
        return {**super()._base(), "display_name": self.name}

    def inbox(self) -> list[Reply]:
        """The messages queued to this person's chat since the last look; `tap` then presses their buttons."""
        found = select(
            self.app.db,
            "SELECT id, payload FROM outbox WHERE channel = ? AND chat_id = ? AND id > ? ORDER BY id",
            (self.channel, self.user_id, self.seen),
        )
        if found:
            self.seen = found[-1][0]
        self.last = [Reply.model_validate_json(payload) for _, payload in found]
        return self.last

    @property
    def inbox_text(self) -> str:
        return "\n".join(r.text for r in self.inbox())

    async def press(self, value: str) -> list[Reply]:
        """Press a button by its value, as a forged or long-kept button would be."""
        return await self.send_kind(Kind.CHOICE, choice=value)


async def secretariat(app: App, user_id: str, grant: Grant | None = None, name: str | None = None) -> Member:
    await registered(app, user_id, grant or Grant(role=Role.SECRETARIAT))
    person = Member(app, user_id, name)
    person.inbox()  # nothing before they sat at the desk is theirs to read here
    return person


async def nominate(
    person: Person,
    name: str = "Nguyễn Văn An",
    *,
    unit: str = "thap muoi",
    anonymous: bool = False,
    collective: bool = False,
    evidence: Path | None = None,
) -> str:
    """A whole nomination in Vietnamese; its reference."""
    await person.say("/decu")
    await person.tap("Tập thể" if collective else "Cá nhân")
    await person.say(name)
    await person.say(unit)
    await person.tap("nông thôn mới")
    await person.say(DEED)
    if evidence is not None:
        await person.send_file(evidence)
        await person.tap("Xong")
    else:
        await person.tap("Bỏ qua")
    if anonymous:
        await person.tap("Ẩn danh")
    else:
        await person.say("Trần Thị Bình")
        await person.say("0912 345 678")
    await person.tap("Tôi xác nhận")
    await person.tap("Gửi")
    reference = next(w.strip(".,:;()") for w in person.text.split() if w.startswith("NTVT-"))
    return reference


def status_of(app: App, reference: str) -> str:
    ((status,),) = rows(app, "SELECT status FROM nominations WHERE reference = ?", (reference,))
    return str(status)


POVERTY = "Trong kỳ, huyện đã hỗ trợ vốn và sinh kế cho 320 hộ nghèo, xây 45 căn nhà đại đoàn kết."


YEAR_END = "Báo cáo tổng kết năm 2026"


async def report_poverty(rep: Person, households: str = "120", rate: str = "2,75", amendment: bool = False) -> None:
    """Up to the summary of a year-end report on poverty reduction (or of its amendment)."""
    await rep.say("/baocao")
    assert "Báo cáo cho kỳ nào?" in rep.text
    await rep.tap(YEAR_END)
    if amendment:
        assert "Xem lại trước khi gửi" in rep.text
        return
    await rep.tap("Giảm nghèo bền vững")
    assert any(b.startswith("☑ Giảm nghèo bền vững") for b in rep.buttons)
    await rep.tap("Xong (1 đã chọn)")
    await rep.say(POVERTY)
    assert "Số hộ thoát nghèo (hộ)" in rep.text
    await rep.say(households)
    await rep.say(rate)
    await rep.tap("Bỏ qua")
    assert "Xem lại trước khi gửi" in rep.text
