"""The operator's commands: `reminders preview`, `reminders run`, `outbox status`."""

from __future__ import annotations

import argparse
import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.cli import build_parser
from bot.cli import outbox as outbox_cli
from bot.cli import reminders as reminders_cli
from bot.clock import FixedClock
from tests.support.roles import representative

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def test_the_commands_are_on_the_command_line() -> None:
    parser = build_parser()
    assert parser.parse_args(["outbox", "status"]).handler is outbox_cli.status
    assert parser.parse_args(["outbox", "requeue-uncertain"]).handler is outbox_cli.requeue_uncertain
    args = parser.parse_args(["reminders", "preview", "--at", "2026-12-03T08:00"])
    assert args.handler is reminders_cli.preview and args.at == "2026-12-03T08:00"
    assert parser.parse_args(["reminders", "run", "--at", "2026-12-03T08:00"]).handler is reminders_cli.run


async def test_preview_lists_what_would_go_to_whom(app: App, capsys: pytest.CaptureFixture[str]) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    assert await reminders_cli.preview(app, argparse.Namespace(at="2026-12-03T08:00")) == 0
    out = capsys.readouterr().out
    assert "at 2026-12-03 08:00 (Asia/Ho_Chi_Minh):" in out
    assert "CN H-LAPVO d-7 → console:lapvo (vi): ⏰ Nhắc hạn báo cáo: Báo cáo tổng kết năm 2026" in out
    # A week before the deadline nobody is late yet.
    assert "late" not in out
    assert "17 unit(s) yet to report (the deadline has not passed) have no registered representative" in out
    assert "TP-SADEC (CN)" in out
    await reminders_cli.preview(app, argparse.Namespace(at="2026-12-09T10:00+07:00"))
    out = capsys.readouterr().out
    assert "H-LAPVO d-1" in out and "earlier step(s) would be passed over" in out
    # Early on the deadline day the latest step due is the day before's, and it says "today is the deadline".
    await reminders_cli.preview(app, argparse.Namespace(at="2026-12-10T07:30+07:00"))
    out = capsys.readouterr().out
    assert "H-LAPVO d-1, sent as d-0 → console:lapvo (vi): ⏰ Hôm nay là hạn nộp" in out
    await reminders_cli.preview(app, argparse.Namespace(at="2026-12-12T08:00+07:00"))
    assert "17 late unit(s) have no registered representative" in capsys.readouterr().out
    await reminders_cli.preview(app, argparse.Namespace(at="2026-12-03T22:00"))
    assert "quiet hours: nothing is planned until 2026-12-04 07:00" in capsys.readouterr().out
    assert await reminders_cli.preview(app, argparse.Namespace(at="3 December")) == 2
    # A preview decides nothing.
    await reminders_cli.preview(app, argparse.Namespace(at="2026-12-03T08:00"))
    assert "H-LAPVO d-7" in capsys.readouterr().out


async def test_run_sends_as_if_it_were_then(app: App, clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    clock.set(dt.datetime(2026, 11, 28, 10, 0, tzinfo=TZ))  # the real time: daytime
    assert await reminders_cli.run(app, argparse.Namespace(at="2026-12-03T08:00")) == 0
    out = capsys.readouterr().out
    assert "1 message(s) queued" in out
    assert (
        "[to console:lapvo] ⏰ Nhắc hạn báo cáo: Báo cáo tổng kết năm 2026" in out and "1. 📝 Gửi báo cáo ngay" in out
    )
    assert "1 send(s) attempted; 0 message(s) still queued" in out
    await reminders_cli.run(app, argparse.Namespace(at="2026-12-03T08:00"))
    again = capsys.readouterr().out
    assert "0 message(s) queued" in again and "[to console" not in again
    await outbox_cli.status(app, argparse.Namespace())
    status = capsys.readouterr().out
    assert "      sent: 1" in status and "console: 1 sent" in status


async def test_run_at_night_leaves_the_messages_for_the_morning(
    app: App, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    await representative(app, "lapvo", "H-LAPVO")
    clock.set(dt.datetime(2026, 11, 28, 23, 0, tzinfo=TZ))  # the real time: quiet hours
    await reminders_cli.run(app, argparse.Namespace(at="2026-12-03T08:00"))
    out = capsys.readouterr().out
    assert "[to console" not in out and "0 send(s) attempted; 1 message(s) still queued" in out
    await outbox_cli.status(app, argparse.Namespace())
    assert "oldest pending since 2026-11-28 23:00" in capsys.readouterr().out


async def test_an_empty_outbox(app: App, capsys: pytest.CaptureFixture[str]) -> None:
    await outbox_cli.status(app, argparse.Namespace())
    assert capsys.readouterr().out == "the outbox is empty\n"
