"""/baocao through the messengers' own machinery: Telegram (python-telegram-bot on a fake HTTP layer) and
the terminal chat as a real process reading standard input."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

from bot.app import build_app
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from bot.settings import Settings
from tests.support.cli import Cli
from tests.support.config import CAMPAIGN, ROOT
from tests.support.console import env_for
from tests.support.conversations import POVERTY
from tests.support.db import db_rows
from tests.support.roles import invite_code
from tests.support.telegram_chat import PNG, open_chat
from tests.support.telegram_fake import Call


async def test_a_report_on_telegram(tg_settings: Settings, clock: FixedClock) -> None:
    app = await build_app(tg_settings, clock)
    tg = await open_chat(app)
    try:
        code = await invite_code(app, Grant(role=Role.UNIT_REP, unit_code="H-THAPMUOI"))
        out = await tg.say(f"/dangky {code}")
        assert "cán bộ đại diện của Huyện Tháp Mười" in out[0]
        await tg.say("/baocao")
        await tg.press("Báo cáo tổng kết năm 2026")
        areas = tg.last_keyboard()
        assert areas.buttons[15] == "☐ Giảm nghèo bền vững, các vấn đề xã hội" and areas.buttons[-1].startswith(
            "✅ Xong"
        )
        # A tick changes the list's buttons in place: nothing new is sent.
        assert await tg.press("Giảm nghèo bền vững") == []
        assert tg.last_keyboard() is areas

        def now_shown() -> Call:
            edit = tg.fake.of("editMessageReplyMarkup")[-1]
            assert edit.params["message_id"] == areas.result["message_id"]
            return edit

        assert "☑ Giảm nghèo bền vững, các vấn đề xã hội" in now_shown().buttons
        assert await tg.press("Y tế", on=now_shown()) == []
        assert await tg.press("Y tế", on=now_shown()) == []
        assert [b for b in now_shown().buttons if b.startswith("☑")] == ["☑ Giảm nghèo bền vững, các vấn đề xã hội"]
        await tg.press("Xong (1 đã chọn)", on=now_shown())
        await tg.say(POVERTY)
        await tg.say("120")
        out = await tg.say("2.75")
        assert "Bước 6/6" in out[-1]
        tg.fake.files["photo-report"] = PNG
        out = await tg.feed(tg.updates.photo("photo-report", len(PNG)))
        assert "Đã nhận 1/5 tệp" in out[-1]
        out = await tg.press("Xong")
        assert "Xem lại trước khi gửi" in out[-1] and "2,75 %" in out[-1] and "1 tệp" in out[-1]
        out = await tg.press("Gửi")
        assert "Mã báo cáo: BC-2026-CN-H-THAPMUOI-v1" in out[0]
        out = await tg.say("/tinhtrang")
        assert "đã gửi bản v1 lúc 09:00 28/11/2026" in out[0]
    finally:
        await tg.application.shutdown()
        await app.close()
    assert db_rows(tg_settings, "SELECT reference, channel, late FROM reports") == [
        ("BC-2026-CN-H-THAPMUOI-v1", "telegram", 0)
    ]
    assert db_rows(tg_settings, "SELECT COUNT(*) FROM report_files") == [(1,)]


def campaign_open_today(folder: Path) -> Path:
    """The shipped campaign with one six-month period open on the real date: the terminal chat runs on the
    system clock."""
    data = yaml.safe_load(CAMPAIGN.read_text(encoding="utf-8"))
    today = dt.datetime.now(ZoneInfo(data["campaign"]["timezone"])).date()
    data["reporting_periods"] = [
        {
            "code": "6T",
            "kind": "six_month",
            "name": {"vi": "Báo cáo 6 tháng", "en": "Six-month report"},
            "opens": (today - dt.timedelta(days=5)).isoformat(),
            "deadline": (today + dt.timedelta(days=10)).isoformat(),
        }
    ]
    path = folder / "campaign.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_a_report_in_the_terminal_from_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    campaign = campaign_open_today(tmp_path)
    cli = Cli(monkeypatch, capsys, tmp_path)
    monkeypatch.setenv("CAMPAIGN_FILE", str(campaign))
    code = cli("invite", "create", "--unit", "H-THAPMUOI")[1].splitlines()[0]
    lines = [
        f"/dangky {code}",
        "/baocao",
        "1",  # the only open period
        "16",  # tick the sixteenth content area
        "20",  # Done: after the 19 areas
        POVERTY,
        "120",
        "12,5",
        "bỏ qua",
        "1",  # Send
        "/tinhtrang",
    ]
    env = {**env_for(tmp_path), "CAMPAIGN_FILE": str(campaign)}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--user", "2001"],
        cwd=ROOT,
        env=env,
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    out = result.stdout
    assert "  16. ☐ Giảm nghèo bền vững, các vấn đề xã hội" in out and "  20. ✅ Xong (0 đã chọn)" in out
    assert "Tỷ lệ hộ nghèo cuối kỳ: 12,5 %" in out
    assert "Mã báo cáo: BC-2026-6T-H-THAPMUOI-v1" in out
    assert "✅ Báo cáo 6 tháng: đã gửi bản v1 lúc" in out
    with sqlite3.connect(tmp_path / "thidua.db") as conn:
        assert conn.execute("SELECT reference, channel FROM reports").fetchall() == [
            ("BC-2026-6T-H-THAPMUOI-v1", "console")
        ]
        assert conn.execute("SELECT indicator_code, value FROM report_values ORDER BY 1").fetchall() == [
            ("HO-THOAT-NGHEO", 120.0),
            ("TY-LE-NGHEO", 12.5),
        ]
