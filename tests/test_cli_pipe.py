"""The command line stays quiet where a person would see a traceback: piped into a reader that goes away
(`python -m bot units list | head -1`), or given a /file path that is not there in the terminal chat."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.config import ROOT
from tests.support.console import chat, env_for
from tests.support.conversations import DEED


def test_a_closed_pipe_ends_the_command_without_a_traceback(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "units", "list"],
        cwd=ROOT,
        env=env_for(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()  # the reader is gone before the first line is written
    errors = process.stderr.read()
    process.stderr.close()
    assert process.wait(timeout=60) == 1
    assert "Traceback" not in errors and "BrokenPipeError" not in errors, errors


def test_a_file_path_that_is_not_there_gets_one_friendly_line_and_no_traceback(tmp_path: Path) -> None:
    out = chat(
        tmp_path,
        ["/decu", "1", "Nguyễn Văn An", "thap muoi", "1", DEED, "/file /khong/co/giay-khen.pdf"],
    )
    assert "chưa tải được tệp giay-khen.pdf" in out  # and chat() finds no traceback on standard error
