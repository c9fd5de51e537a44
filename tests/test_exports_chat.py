"""/xuat in chat: the files made from a read of their own and sent as documents; who may ask, step by step
or in one line, and every mistake answered kindly."""

from __future__ import annotations

import asyncio
import io
import sqlite3
from typing import Any

import openpyxl
import pytest

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.conversation.messages import Reply
from bot.domain.policy import Grant, Role
from bot.exports.making import make_exports
from bot.handlers import export as export_handler
from bot.settings import Settings
from tests.support.chat import Person
from tests.support.exports import PHONE, docx_text, phones_in, seed
from tests.support.roles import invite_code, registered
from tests.support.telegram_chat import open_chat

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def files(replies: list[Reply]) -> list[Reply]:
    return [r for r in replies if r.file is not None]


async def secretariat(app: App, user_id: str = "8001") -> Person:
    return await registered(app, user_id, Grant(role=Role.SECRETARIAT))


async def test_xuat_with_its_words_sends_the_workbook_as_a_document(app: App) -> None:
    await seed(app)
    desk = await secretariat(app)
    replies = await desk.say("/xuat CN xlsx")
    [sent] = files(replies)
    assert sent.file is not None and sent.file.mime == XLSX and sent.file.filename.endswith(".xlsx")
    assert sent.file.path.is_file() and sent.file.path.parent == app.settings.files_dir / "exports"
    assert "Bảng tính Excel" in sent.text and "Báo cáo tổng kết năm 2026" in sent.text
    assert "6 đề cử, 4 dòng báo cáo, 15 đơn vị chưa báo cáo." in sent.text
    assert phones_in(sent.file.path) == []
    with sqlite3.connect(app.db.path) as conn:
        audited = conn.execute(
            "SELECT subject, json_extract(detail, '$.with_contacts') FROM audit_log WHERE action = 'export.made'"
        ).fetchall()
    assert audited == [("CN", 0)]


async def test_xuat_asks_for_the_period_and_the_file_step_by_step(app: App) -> None:
    await seed(app)
    desk = await secretariat(app)
    await desk.say("/xuat")
    assert "Bước 1/2" in desk.text and "Xuất dữ liệu" in desk.text
    assert "7 ngày gần đây" in desk.buttons and "Báo cáo 6 tháng đầu năm 2026" in desk.buttons
    await desk.say("hôm qua")
    assert 'Chưa hiểu khoảng thời gian "hôm qua"' in desk.text and "Bước 1/2" in desk.text
    # A day not on the calendar and a range the wrong way round are each told for what they are.
    await desk.say("31/02/2026-15/03/2026")
    assert "không có trên lịch" in desk.text and "Chưa hiểu" not in desk.text
    await desk.say("31/10/2026-01/10/2026")
    assert "kết thúc trước khi bắt đầu" in desk.text and "Chưa hiểu" not in desk.text
    await desk.tap("Báo cáo tổng kết năm 2026")
    assert "Bước 2/2" in desk.text
    await desk.tap("Bản tin Hương Sen")
    assert "Xem lại trước khi gửi" in desk.text and "Báo cáo tổng kết năm 2026" in desk.text
    [sent] = files(await desk.tap("Gửi"))
    assert sent.file is not None and sent.file.mime == DOCX
    assert "2 gương người tốt, việc tốt được đăng." in sent.text
    assert any("Lê Thị Hoa" in p for p in docx_text(sent.file.path)[0])
    await desk.say("/xuat")
    assert "Bước 1/2" in desk.text  # the last export left no conversation behind


async def test_a_typed_date_range_and_all_three_files(app: App) -> None:
    await seed(app)
    desk = await secretariat(app)
    await desk.say("/xuat tatca")
    assert "Bước 1/2" in desk.text
    await desk.say("01/11/2026-30/11/2026")
    assert "Xem lại trước khi gửi" in desk.text and "01/11/2026 – 30/11/2026" in desk.text
    sent = files(await desk.tap("Gửi"))
    assert [r.file.mime for r in sent if r.file] == [XLSX, DOCX, DOCX]
    assert "6 đề cử, 4 dòng báo cáo" in sent[0].text


async def test_recent_days_from_the_command_words(app: App) -> None:
    await seed(app)
    desk = await secretariat(app)
    [sent] = files(await desk.say("/xuat 7ngay tonghop"))
    assert sent.file is not None and "Báo cáo tổng hợp" in sent.text and "22/11/2026 – 28/11/2026" in sent.text


async def test_a_word_xuat_does_not_know_is_explained(app: App) -> None:
    desk = await secretariat(app)
    await desk.say("/xuat 9T xlsx")
    assert 'Chưa hiểu "9T"' in desk.text and "/xuat 6T xlsx" in desk.text
    assert files(desk.last) == []


async def test_a_citizen_is_refused_politely(app: App) -> None:
    citizen = Person(app, "8100")
    await citizen.say("/xuat CN xlsx")
    assert "Chỉ Thường trực Hội đồng (Sở Nội vụ) và quản trị viên xuất được" in citizen.text
    assert files(citizen.last) == []


async def test_only_an_administrator_exports_the_phone_numbers(app: App) -> None:
    await seed(app)
    desk = await secretariat(app)
    await desk.say("/xuat CN xlsx lienhe")
    assert "chỉ quản trị viên mới xuất được" in desk.text and files(desk.last) == []
    admin = await registered(app, "8200", Grant(role=Role.ADMIN))
    replies = await admin.say("/xuat CN xlsx lienhe")
    [sent] = files(replies)
    assert sent.file is not None and "-lienhe-" in sent.file.filename
    assert set(phones_in(sent.file.path)) == {PHONE}
    assert "không chuyển tiếp ra ngoài" in "\n".join(r.text for r in replies)


async def test_english_speakers_get_english_files(app: App) -> None:
    await seed(app)
    desk = await secretariat(app)
    await desk.say("/ngonngu")
    await desk.tap("English")
    [sent] = files(await desk.say("/export CN xlsx"))
    assert sent.file is not None and "Excel workbook" in sent.text
    assert openpyxl.load_workbook(sent.file.path).sheetnames == ["Nominations", "Reports", "Not reported"]


async def test_the_workbook_reaches_telegram_as_a_document(tg_settings: Settings, clock: FixedClock) -> None:
    app = await build_app(tg_settings, clock)
    tg = await open_chat(app)
    try:
        await seed(app)
        out = await tg.say(f"/dangky {await invite_code(app, Grant(role=Role.SECRETARIAT))}")
        assert "Đăng ký thành công" in out[0]
        await tg.say("/xuat CN xlsx")
        [document] = tg.fake.of("sendDocument")
        assert "6 đề cử, 4 dòng báo cáo" in document.params["caption"]
        [upload] = document.uploads.values()
        book = openpyxl.load_workbook(io.BytesIO(upload))
        assert book.sheetnames == ["Đề cử", "Báo cáo", "Chưa báo cáo"]
    finally:
        await tg.application.shutdown()
        await app.close()


async def test_an_export_being_written_holds_up_nobody_else(app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    office = await secretariat(app)
    written = asyncio.Event()
    may_write = asyncio.Event()

    async def held_back(*args: Any, **kwargs: Any) -> Any:
        # The real export, started only when the test says: a window in which a slow one would still run.
        written.set()
        await may_write.wait()
        return await make_exports(*args, **kwargs)

    monkeypatch.setattr(export_handler, "make_exports", held_back)
    exporting = asyncio.create_task(office.say("/xuat CN xlsx"))
    await asyncio.wait_for(written.wait(), 10)
    # The request is committed and audited before the file is written ...
    with sqlite3.connect(app.db.path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'export.made'").fetchone() == (1,)
    # ... so someone else's update goes through meanwhile instead of waiting behind the write lock.
    citizen = Person(app, "3001")
    await asyncio.wait_for(citizen.say("/decu"), 5)
    assert "Bước 1/9" in citizen.text
    may_write.set()
    replies = await asyncio.wait_for(exporting, 30)
    assert [r.file.mime for r in files(replies) if r.file] == [XLSX]
    assert not any("chưa hiểu" in r.text for r in replies)
