"""The terminal chat as a real process: scripted through standard input, killed, and started again."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.config import ROOT
from tests.support.console import chat, env_for

DEED = "Bà đã nấu cơm miễn phí cho bệnh nhân nghèo ở bệnh viện huyện suốt năm năm qua."


def test_a_scripted_nomination_from_standard_input(tmp_path: Path) -> None:
    out = chat(
        tmp_path,
        [
            "/start",
            "/decu",
            "1",
            "Nguyễn Thị Hoa",
            "thap muoi",
            "8",
            DEED,
            "bỏ qua",
            "Ẩn danh",
            "1",
            "1",
            "/cuatoi",
        ],
    )
    assert "  1. 🌟 Đề cử người tốt, việc tốt" in out  # choices are numbered
    assert "Bước 9/9" not in out and "Bước 8/8" in out  # anonymous: no phone step
    assert "Mã đề cử của bạn: NTVT-2026-000001" in out or "NTVT-" in out
    assert "• NTVT-" in out and "Nguyễn Thị Hoa" in out
    with sqlite3.connect(tmp_path / "thidua.db") as conn:
        assert conn.execute("SELECT nominee_name, unit_code, category_code FROM nominations").fetchall() == [
            ("Nguyễn Thị Hoa", "H-THAPMUOI", "PT08")
        ]


@pytest.mark.long
def test_two_users_are_two_people(tmp_path: Path) -> None:
    chat(tmp_path, ["/decu", "2"], user="1")
    out = chat(tmp_path, ["/cuatoi"], user="2")
    assert "chưa gửi đề cử nào" in out


def read_until(proc: subprocess.Popen[str], needle: str, timeout: float = 30) -> str:
    assert proc.stdout is not None
    seen = ""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        assert time.monotonic() < deadline, f"{needle!r} never came; got {seen!r}"
        line = proc.stdout.readline()
        assert line, f"process ended before {needle!r}; got {seen!r}"
        seen += line
    return seen


@pytest.mark.long
def test_killed_mid_conversation_and_resumed_by_a_new_process(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--user", "42"],
        cwd=ROOT,
        env=env_for(tmp_path),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    assert proc.stdin is not None
    try:
        for line, expect in (
            ("/decu", "Bước 1/9"),
            ("1", "Bước 2/9"),
            ("Trần Văn Tư", "Bước 3/9"),
            ("sa dec", "Bước 4/9"),
        ):
            proc.stdin.write(line + "\n")
            proc.stdin.flush()
            read_until(proc, expect)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL

    out = chat(tmp_path, ["2"], user="42")  # the second movement, answered to step 4
    assert "Bước 5/9" in out
    out = chat(tmp_path, ["/quaylai", "/quaylai"], user="42")
    assert "Trả lời trước đây: Thành phố Sa Đéc" in out


def test_run_without_a_token_opens_the_terminal_chat(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--user", "3001"],
        cwd=tmp_path,  # no .env here
        env={**env_for(tmp_path), "PYTHONPATH": str(ROOT)},
        input="/start\n",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "the whole bot runs here (outbox, reminders, digests)" in result.stderr
    assert "as user 3001" in result.stderr
    assert "Xin chào!" in result.stdout
