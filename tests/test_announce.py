"""Announcements: /thongbao from the secretariat and `python -m bot announce`, through the outbox to the unit
representatives of the chosen audience, each once, in their own language."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bot.app import App
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from bot.outbox.limits import ChannelLimits
from bot.outbox.worker import OutboxWorker
from tests.support.chat import Person
from tests.support.cli import Cli
from tests.support.db import file_rows
from tests.support.fake_sender import FakeSender, fake_sleep
from tests.support.roles import invite_code, registered, representative

TEXT = "Đề nghị các đơn vị gửi báo cáo năm trước ngày 10/12.\nXin cảm ơn."


async def secretariat(app: App, user_id: str = "9001") -> Person:
    return await registered(app, user_id, Grant(role=Role.SECRETARIAT))


async def reps_of_two_clusters(app: App) -> dict[str, Person]:
    people = {
        "lapvo": await representative(app, "2001", "H-LAPVO"),
        "sadec": await representative(app, "2002", "TP-SADEC"),
        "hongngu": await representative(app, "2003", "TP-HONGNGU"),
    }
    # One person for two units of cluster 1: told once.
    await people["lapvo"].say(f"/dangky {await invite_code(app, Grant(role=Role.UNIT_REP, unit_code='H-LAIVUNG'))}")
    await people["sadec"].say("/ngonngu")
    await people["sadec"].tap("English")
    return people


async def write(person: Person, text: str = TEXT) -> None:
    await person.say("/thongbao")
    assert "Bước 1/" in person.text
    await person.say(text)


async def test_an_announcement_to_a_cluster_reaches_its_representatives_once_each(app: App) -> None:
    await reps_of_two_clusters(app)
    office = await secretariat(app)
    await write(office)
    assert "Gửi thông báo này tới ai?" in office.text
    await office.tap("Một cụm")
    await office.tap("Cụm thi đua số 1")
    assert "Sẽ gửi tới 2 người" in office.text
    assert "Xin cảm ơn." in office.text  # the preview shows the text as written
    await office.tap("✅ Gửi")
    assert "tới 2 người" in office.text and "Cụm thi đua số 1" in office.text

    queued = file_rows(app.db.path, "SELECT chat_id, kind, payload FROM outbox ORDER BY chat_id")
    assert [(chat, kind) for chat, kind, _ in queued] == [("2001", "announcement"), ("2002", "announcement")]
    texts = {str(chat): json.loads(str(payload))["text"] for chat, _, payload in queued}
    assert texts["2001"].startswith("📢 Thông báo") and TEXT in texts["2001"]
    assert texts["2002"].startswith("📢 Announcement") and TEXT in texts["2002"]
    assert file_rows(app.db.path, "SELECT audience, target, recipients, text FROM announcements") == [
        ("group", "CUM1", 2, TEXT)
    ]
    assert file_rows(app.db.path, "SELECT action, subject FROM audit_log WHERE action = 'announcement.sent'") == [
        ("announcement.sent", "announcement:1")
    ]


async def test_queued_announcements_are_delivered_by_the_outbox(app: App, clock: FixedClock) -> None:
    await reps_of_two_clusters(app)
    office = await secretariat(app)
    await write(office)
    await office.tap("Tất cả")
    assert "Sẽ gửi tới 3 người" in office.text
    await office.tap("✅ Gửi")
    sender = FakeSender("console", clock=clock)
    worker = OutboxWorker(
        app.db, {"console": sender}, clock, {"console": ChannelLimits(per_second=100)}, sleep=fake_sleep(clock)
    )
    while await worker.run_once():
        pass
    assert sorted(chat for chat, _ in sender.delivered) == ["2001", "2002", "2003"]
    assert all(TEXT in text for _, text in sender.delivered)
    assert file_rows(app.db.path, "SELECT status, COUNT(*) FROM outbox GROUP BY status") == [("sent", 3)]


async def test_one_unit_found_by_typing_and_nobody_registered_is_said(app: App) -> None:
    await representative(app, "2001", "H-LAPVO")
    office = await secretariat(app)
    await write(office)
    await office.tap("Một đơn vị")
    await office.say("thap muoi")
    assert "Sẽ gửi tới 0 người" in office.text
    await office.tap("✅ Gửi")
    assert "chưa có cán bộ nào" in office.text
    assert file_rows(app.db.path, "SELECT COUNT(*) FROM outbox") == [(0,)]
    # Picking another unit from the summary, the preview follows.
    await office.tap("Sửa: Đơn vị")
    await office.say("lap vo")
    assert "Sẽ gửi tới 1 người" in office.text
    await office.tap("✅ Gửi")
    assert file_rows(app.db.path, "SELECT chat_id FROM outbox") == [("2001",)]
    assert file_rows(app.db.path, "SELECT audience, target FROM announcements") == [("unit", "H-LAPVO")]


async def test_a_short_text_is_asked_again_and_the_people_it_is_not_for_are_refused(app: App) -> None:
    office = await secretariat(app)
    await write(office, "Họp")
    assert "cần ít nhất 10" in office.text
    await office.say("😀")
    assert "cần ít nhất 10" in office.text
    rep = await representative(app, "2001", "H-LAPVO")
    await rep.say("/thongbao")
    assert "Chỉ Thường trực Hội đồng" in rep.text
    citizen = Person(app, "3001")
    await citizen.say("/announce")
    assert "Chỉ Thường trực Hội đồng" in citizen.text
    assert file_rows(app.db.path, "SELECT COUNT(*) FROM announcements") == [(0,)]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Cli:
    return Cli(monkeypatch, capsys, tmp_path)


def register_rep(cli: Cli, unit: str, user: str) -> None:
    code, out = cli("invite", "create", "--role", "rep", "--unit", unit)
    assert code == 0
    invite = out.splitlines()[0]
    chat = cli.db.parent / f"chat-{user}.txt"
    chat.write_text(f"/dangky {invite}\n", encoding="utf-8")
    stdin = sys.stdin
    try:
        sys.stdin = chat.open(encoding="utf-8")
        assert cli("chat", "--user", user)[0] == 0
    finally:
        sys.stdin.close()
        sys.stdin = stdin


def test_the_command_line_previews_then_sends(cli: Cli) -> None:
    register_rep(cli, "H-LAPVO", "2001")
    register_rep(cli, "SO-TTTT", "2002")
    code, out = cli("announce", "--to", "group:khoi-vhxh", "--text", TEXT)
    assert code == 0 and "1 registered representative" in out and "console:2002" in out and "--yes" in out
    assert file_rows(cli.db, "SELECT COUNT(*) FROM outbox WHERE kind = 'announcement'") == [(0,)]
    code, out = cli("announce", "--to", "all", "--text", TEXT, "--yes")
    assert code == 0 and "queued for 2 people" in out
    assert file_rows(cli.db, "SELECT chat_id FROM outbox WHERE kind = 'announcement' ORDER BY chat_id") == [
        ("2001",),
        ("2002",),
    ]
    code, out = cli("announce", "--history")
    assert code == 0 and "all" in out and "2 people" in out


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--to", "everyone", "--text", TEXT), "unknown audience"),
        (("--to", "group:CUM9", "--text", TEXT), "no cluster or block CUM9"),
        (("--to", "unit:NOWHERE", "--text", TEXT), "no active unit"),
        (("--to", "all", "--text", "Họp"), "must have 10 to"),
        (
            (
                "--to",
                "all",
            ),
            "--text",
        ),
        (("--to", "all", "--file", "/nonexistent/announcement.txt"), "error:"),
    ],
)
def test_the_command_line_explains_what_is_wrong(cli: Cli, args: tuple[str, ...], said: str) -> None:
    code, out = cli("announce", *args)
    assert code == 2 and said in out
    assert "Traceback" not in out


async def test_a_long_announcement_is_cut_at_each_messengers_size_as_messages_of_their_own(app: App) -> None:
    on_zalo = Person(app, "2101", channel="zalo")
    await on_zalo.say(f"/dangky {await invite_code(app, Grant(role=Role.UNIT_REP, unit_code='H-LAPVO'))}")
    await representative(app, "2001", "H-LAIVUNG")
    long_text = "\n".join(
        f"{i}. Nội dung cần chuẩn bị cho hội nghị tổng kết phong trào thi đua năm 2026." for i in range(36)
    )
    assert 2000 < len(long_text) <= 3000
    office = await secretariat(app)
    await write(office, long_text)
    await office.tap("Tất cả")
    await office.tap("✅ Gửi")
    queued = file_rows(app.db.path, "SELECT channel, dedup_key, payload FROM outbox ORDER BY id")
    zalo_parts = [json.loads(str(payload))["text"] for channel, _, payload in queued if channel == "zalo"]
    console_parts = [json.loads(str(payload))["text"] for channel, _, payload in queued if channel == "console"]
    assert len(zalo_parts) == 2 and all(len(part) <= 2000 for part in zalo_parts)
    assert len(console_parts) == 1
    # Cut between lines, never inside one, and nothing lost.
    lines = [line for part in zalo_parts for line in part.splitlines() if line.strip()]
    assert [line for line in lines if line[0].isdigit()] == long_text.splitlines()
    assert len({key for _, key, _ in queued}) == len(queued)
