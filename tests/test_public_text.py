"""The public's text, generated: whatever anyone types at each step of a nomination or a report, every input
gets an answer, nothing crashes and nothing is echoed with control characters; and the files and digests made
from stored text that holds them (written before the door cleaned it, or by another tool) are still made."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tests.support.hypothesis_profiles  # noqa: F401  (the suite's settings)
from bot.app import App
from bot.conversation.messages import Choice, Incoming, Kind, Reply
from bot.conversation.text import clean_text, has_control_characters
from bot.domain.export_rows import ExportKind, ExportScope
from bot.domain.nomination import NomineeKind
from bot.domain.policy import Grant, Role
from bot.domain.reports import AreaReport
from bot.domain.review import Decision
from bot.exports.making import ExportRequest, make_exports
from tests.support.chat import Person
from tests.support.exports import DEED, decide, nominate, report, user
from tests.support.roles import registered, representative

# Anything at all, with the troublemakers made likely: controls, lone surrogates, combining marks, emoji.
NASTY = st.sampled_from(["\x00", "\x1b", "\x07", "\r", "\x7f", "\ud800", "\udfff", "\u202e", "\u0301", "🙂", "\ufffe"])
TEXT = st.lists(
    st.one_of(st.characters(codec=None), NASTY, st.sampled_from(["Nguyễn", " ", "0", "\n"])), max_size=60
).map("".join)


def clean(text: str) -> bool:
    return not any(unicodedata.category(ch) in ("Cc", "Cs") and ch not in "\n\t" for ch in text)


def said_cleanly(replies: list[Reply]) -> None:
    assert replies and all(r.text.strip() for r in replies), "an input got no answer"
    for reply in replies:
        assert clean(reply.text), reply.text
        assert all(clean(choice.label) for choice in reply.choices)


@given(TEXT)
@settings(max_examples=200)
def test_cleaning_leaves_no_controls_is_nfc_and_is_stable(text: str) -> None:
    cleaned = clean_text(text)
    assert clean(cleaned) and "\r" not in cleaned
    assert unicodedata.is_normalized("NFC", cleaned)
    assert clean_text(cleaned) == cleaned
    assert not has_control_characters(cleaned)


@given(TEXT)
def test_an_incoming_is_cleaned_whatever_the_channel(text: str) -> None:
    incoming = Incoming(channel="zalo", user_id="1", chat_id="1", kind=Kind.TEXT, text=text, display_name=text)
    assert incoming.text == clean_text(text) and incoming.display_name == clean_text(text)


@given(TEXT, st.integers(min_value=0, max_value=4))
def test_a_text_made_again_is_cleaned_the_same_short_or_long(text: str, times: int) -> None:
    """Short texts are cleaned once and remembered; the second time, and a long text, read the same."""
    text = text * times
    for _ in range(2):
        assert Choice(label=text, value="v").label == clean_text(text)
        assert Reply(text=text).text == clean_text(text)


_people = iter(range(100_000, 10_000_000))


def step_number(person: Person) -> str | None:
    """Where the conversation stands: "Bước 3/9" as "3", or None at the summary."""
    found = re.findall(r"Bước (\d+)/", person.text)
    return found[-1] if found else None


@given(name=TEXT, unit=TEXT, deed=TEXT, nominator=TEXT, phone=TEXT)
async def test_any_text_at_every_step_of_a_nomination(
    app: App, name: str, unit: str, deed: str, nominator: str, phone: str
) -> None:
    person = Person(app, str(next(_people)))
    await person.say("/decu")
    await person.tap("Cá nhân")
    # At each step the generated text, which must be answered; if it was not taken, a good answer walks on.
    for typed, good in (
        (name, "Nguyễn Văn An"),
        (unit, "thap muoi"),
        (None, "nông thôn mới"),
        # Generated text that starts with "/" is read as a command, so this step has a good answer too.
        (deed + " Bà con trong xóm đều biết việc tốt của anh.", "Anh sửa lại con đường đất cho cả xóm đi lại."),
        (None, "Bỏ qua"),
        (nominator, "Trần Thị Bình"),
        (phone, "0912 345 678"),
    ):
        if typed is None:
            assert good is not None
            said_cleanly(await person.tap(good))
            continue
        at = step_number(person)
        said_cleanly(await person.say(typed))
        if step_number(person) == at and good is not None:
            said_cleanly(await person.say(good))
        assert step_number(person) != at, person.text
    said_cleanly(await person.tap("Tôi xác nhận"))
    said_cleanly(await person.tap("Gửi"))
    assert "NTVT-" in person.text


@given(narrative=TEXT, figure=TEXT)
async def test_any_text_in_a_report(app: App, narrative: str, figure: str) -> None:
    rep = await representative(app, str(next(_people)), "H-THAPMUOI")
    await rep.say("/baocao")
    await rep.tap("Báo cáo tổng kết năm 2026")
    await rep.tap("Giảm nghèo bền vững")
    await rep.tap("Xong (1 đã chọn)")
    said_cleanly(await rep.say(narrative))
    said_cleanly(await rep.say("Trong kỳ, huyện đã hỗ trợ vốn và sinh kế cho 320 hộ nghèo."))
    said_cleanly(await rep.say(figure))
    said_cleanly(await rep.say("120"))


XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_parts(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return "".join(archive.read(n).decode("utf-8") for n in archive.namelist() if n.endswith(".xml"))


# SQLite stores only what UTF-8 can encode: no lone surrogates, but every control character.
STORED = TEXT.map(lambda t: re.sub("[\ud800-\udfff]", "?", t))


@given(texts=st.lists(STORED, min_size=3, max_size=6))
@settings(max_examples=3)
@pytest.mark.long
async def test_stored_text_with_control_characters_still_makes_every_file_and_the_digest(
    app: App, texts: list[str]
) -> None:
    someone = await user(app, f"u{next(_people)}", "Bình")
    reviewer = await user(app, f"r{next(_people)}", "Lan")
    # Written straight into storage, as text from before the door cleaned it would be (or from another tool).
    references = []
    for text in texts:
        reference = await nominate(
            app, someone, (text + " An")[:120], kind=NomineeKind.COLLECTIVE, deed=(text + " " + DEED)[:4000]
        )
        await decide(app, reviewer, reference, Decision.APPROVE, for_publication=True)
        references.append(reference)
    await report(app, someone, "H-LAPVO", [AreaReport(area_code="ND16", narrative=" ".join(texts) + DEED)])
    with sqlite3.connect(app.db.path) as conn:
        # A unit's new version (its history is kept, never edited), named with a NUL in it.
        conn.execute(
            "INSERT INTO unit_versions (code, name, kind, parent_code, group_code, status, merged_into, source,"
            " recorded_at) SELECT code, ?, kind, parent_code, group_code, status, merged_into, source, recorded_at"
            " FROM unit_versions WHERE code = 'H-LAPVO' ORDER BY id DESC LIMIT 1",
            (f"Huyện\x00 Lấp Vò {texts[0]}",),
        )
    period = app.services.campaign.period("CN")
    assert period is not None
    folder = Path(str(app.db.path)).parent / f"out{next(_people)}"
    request = ExportRequest(scope=ExportScope.of_period(period), kinds=list(ExportKind), with_contacts=False)
    made = await make_exports(
        app.db.path, app.services.campaign, app.services.catalog, request, app.services.clock.now(), folder=folder
    )
    assert {m.kind for m in made} == set(ExportKind)
    for file in made:
        xml = xml_parts(file.path)
        assert not XML_ILLEGAL.search(xml)
        if file.kind is not ExportKind.XLSX:  # the Word files hold no control characters at all
            assert clean(xml)
    # The generated text really went into the files: every approved collective is in the bulletin.
    bulletin = next(m for m in made if m.kind is ExportKind.BULLETIN)
    assert bulletin.counts["entries"] >= len(references)
    desk = await registered(app, str(next(_people)), Grant(role=Role.SECRETARIAT))
    said_cleanly(await desk.say("/tonghop"))
