"""The operators' tools answer a mistake in one line: absurd dates, a file that exists, a folder that cannot
be written; `reminders run` talks to the Bot API server the settings name; the terminal's /file takes only
regular files, up to the limit, and survives an unclosed quote."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from bot.app import App
from bot.channels.console import LocalFiles, parse_line
from bot.conversation.messages import Attachment, Kind
from bot.engine.engine import FileTooLarge
from tests.support.chat import Person
from tests.support.cli import Cli
from tests.support.conversations import answer_up_to_evidence
from tests.support.telegram_fake import TOKEN


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Cli:
    return Cli(monkeypatch, capsys, tmp_path)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["reminders", "preview", "--at", "0001-01-01"], "error: --at: 0001-01-01 is outside the dates"),
        (["reminders", "run", "--at", "9999-12-31T23:59"], "error: --at: 9999-12-31 is outside the dates"),
        (["reminders", "preview", "--at", "mai"], "error: --at: 'mai' is not a time; use 2026-12-03T08:00"),
        (["export", "--from", "9999-12-30"], "error: --from: 9999-12-30 is outside the dates"),
        (["export", "--from", "0001-01-01", "--to", "0001-01-02"], "error: --from: 0001-01-01 is outside"),
        (["export", "--from", "2026-10-01", "--to", "9999-12-31"], "error: --to: 9999-12-31 is outside"),
    ],
)
def test_absurd_dates_get_one_line(cli: Cli, args: list[str], said: str) -> None:
    code, out = cli(*args)
    assert code != 0
    assert len(out.splitlines()) == 1 and out.startswith(said), out


def test_export_keeps_an_existing_file_unless_forced(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "out" / "nam.xlsx"
    assert cli("export", "--period", "CN", "--kind", "xlsx", "--out", str(target))[0] == 0
    made = target.read_bytes()
    target.write_bytes(b"the secretariat's own notes")
    code, out = cli("export", "--period", "CN", "--kind", "xlsx", "--out", str(target))
    assert (code, out) == (1, f"error: {target} exists; add --force to replace it\n")
    assert target.read_bytes() == b"the secretariat's own notes"
    assert cli("export", "--period", "CN", "--kind", "xlsx", "--out", str(target), "--force")[0] == 0
    assert target.read_bytes()[:2] == made[:2] == b"PK"


@pytest.mark.parametrize("short", ["--fo", "--forc", "--for"])
def test_a_shortened_option_is_refused_rather_than_guessed(
    cli: Cli, capsys: pytest.CaptureFixture[str], tmp_path: Path, short: str
) -> None:
    target = tmp_path / "nam.xlsx"
    target.write_bytes(b"the secretariat's own notes")
    with pytest.raises(SystemExit) as stopped:
        cli("export", "--period", "CN", "--kind", "xlsx", "--out", str(target), short)
    assert stopped.value.code == 2
    assert f"error: unrecognized arguments: {short}" in capsys.readouterr().err
    assert target.read_bytes() == b"the secretariat's own notes"
    with pytest.raises(SystemExit):  # in a subcommand's subcommand too
        cli("units", "list", "--al")
    assert "error: unrecognized arguments: --al" in capsys.readouterr().err


def test_a_folder_that_cannot_be_written_gets_one_line(cli: Cli, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, out = cli("export", "--period", "CN", "--out", str(blocker / "exports"))
    assert code == 1
    assert out == f"error: cannot make the folder {blocker / 'exports'}: Not a directory\n"


class BotApi(BaseHTTPRequestHandler):
    """A Bot API server on loopback that records what it is asked."""

    asked: ClassVar[list[str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        BotApi.asked.append(self.path)
        result: object = {"id": 42, "is_bot": True, "first_name": "Thi đua", "username": "thidua_bot"}
        if not self.path.endswith("/getMe"):
            result = True
        body = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def bot_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BotApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    BotApi.asked = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_reminders_run_talks_to_the_bot_api_server_of_the_settings(
    cli: Cli, bot_api: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", bot_api)
    code, out = cli("reminders", "run", "--at", "2026-12-03T08:00")
    assert code == 0, out
    assert f"/bot{TOKEN}/getMe" in BotApi.asked


def test_the_terminal_survives_an_unclosed_quote() -> None:
    incoming = parse_line('/file "bao cao.pdf', "1001", None)
    assert incoming.kind is Kind.FILE and [a.ref for a in incoming.attachments] == ["bao cao.pdf"]


async def test_the_terminal_reads_only_regular_files_and_only_up_to_the_limit(tmp_path: Path) -> None:
    files = LocalFiles()
    with pytest.raises(FileNotFoundError):
        await files.fetch(Attachment(ref="/dev/zero", name="zero"), 1024)
    with pytest.raises(FileNotFoundError):
        await files.fetch(Attachment(ref=str(tmp_path), name="folder"), 1024)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-" + b"0" * 5000)
    with pytest.raises(FileTooLarge):
        await files.fetch(Attachment(ref=str(big), name="big.pdf"), 1024)


async def test_dev_zero_at_the_evidence_step_is_answered_kindly(app: App) -> None:
    person = Person(app)
    await answer_up_to_evidence(person)
    await person.send(parse_line("/file /dev/zero", "1001", None))
    assert "chưa tải được tệp zero" in person.text
    await person.send(parse_line('/file "/khong/co/tep.pdf', "1001", None))
    assert "chưa tải được tệp tep.pdf" in person.text
