"""Text is cleaned once, where a messenger's update becomes an Incoming, and what is not a name, a deed or a
phone number is refused with a message that says exactly what is wrong."""

from __future__ import annotations

import sqlite3

import pytest

from bot.app import App
from bot.conversation.text import clean_text
from bot.domain.input_text import deed_problem, name_problem, phone_problem
from tests.support.chat import Person
from tests.support.conversations import DEED, answer_up_to_nominator


def test_cleaning_keeps_words_lines_and_tabs_and_drops_the_rest() -> None:
    decomposed = "Nguye\u0302\u0303n"  # "Nguyễn" typed with combining marks
    assert clean_text(f"{decomposed}\x1b[31m\x00 Văn\r\nAn\tx\u202eY\ud800") == "Nguyễn[31m Văn\nAn\tx" + "Y\ufffd"
    assert clean_text("plain ASCII text") == "plain ASCII text"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("0912345678 ext 12", "digits"),
        ("An\u0301\u0301\u0301\u0301", "marks"),
        ("🙂🙂🙂", "letters"),
        ("Nguyễn <b>An</b>", "symbol"),
        ("Lê\nHoa", "lines"),
        ("Trường THCS số 2", None),
        ("Hội Phụ nữ xã Mỹ An", None),
        ("Nguyễn Văn An", None),
    ],
)
def test_what_is_wrong_with_a_name(name: str, reason: str | None) -> None:
    problem = name_problem(name)
    assert (problem[0] if problem else None) == reason


def test_deeds_and_phones() -> None:
    assert deed_problem("0" * 50) == "words" and deed_problem("🙂" * 40) == "words"
    assert deed_problem(DEED) is None
    assert phone_problem("-0912345678") == ("minus", {})
    assert phone_problem("0912345678 ext 2") == ("letters", {})
    assert phone_problem("091234567") == ("length", {"count": 9})
    assert phone_problem("+1 415 555 0100") == ("foreign", {})
    assert phone_problem("0212345678") == ("prefix", {})
    assert phone_problem("0912 345 678") is None


async def test_the_conversation_says_exactly_what_is_wrong(app: App) -> None:
    person = Person(app)
    await person.say("/decu")
    await person.tap("Cá nhân")
    await person.say("0912345678 ext 12")
    assert "có phải bạn đã gõ số điện thoại vào ô tên" in person.text and "Bước 2/9" in person.text
    await person.say("Nguyễn Văn An\x1b\x00")
    assert "Bước 3/9" in person.text
    await person.say("thap muoi")
    await person.tap("nông thôn mới")
    await person.say("0" * 50)
    assert "kể bằng lời" in person.text and "Bước 5/9" in person.text
    await person.say("🎉" * 40)
    assert "kể bằng lời" in person.text and "Bước 5/9" in person.text
    await person.say(DEED)
    await person.tap("Bỏ qua")
    await person.say("Trần Thị Bình")
    await person.say("-0912345678")
    assert "không bắt đầu bằng dấu trừ" in person.text and "Bước 8/9" in person.text
    await person.say("0912 345 678")
    await person.tap("Tôi xác nhận")
    await person.tap("Gửi")
    with sqlite3.connect(app.db.path) as conn:
        assert conn.execute("SELECT nominee_name, nominator_phone FROM nominations").fetchall() == [
            ("Nguyễn Văn An", "+84912345678")
        ]


async def test_the_nominator_is_told_too_and_may_stay_anonymous(app: App) -> None:
    person = Person(app)
    await answer_up_to_nominator(person)
    await person.say("Bình\u0300\u0300\u0300\u0300")
    assert "quá nhiều dấu chồng" in person.text and "Ẩn danh" in person.text
