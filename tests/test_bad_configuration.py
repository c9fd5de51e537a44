"""Bad settings and bad campaign files, through the real command line: `check-config` names the line or the
setting and what is accepted, `run` refuses to start with the same lines, and neither prints a traceback."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.cli import main
from tests.support.config import CAMPAIGN


@dataclass(frozen=True)
class Bad:
    # What is said, each a substring of the one "error:" line expected ({path} is the campaign file's path).
    says: list[str]
    env: dict[str, str] = field(default_factory=dict)
    # The shipped campaign with one text replaced by another, or None to leave it alone.
    replace: tuple[str, str] | None = None
    raw: bytes | None = None  # the campaign file's bytes instead
    # Words that must not be printed (a password in a URL).
    hidden: list[str] = field(default_factory=list)
    # The line the error points at: the last one reading so ({line} in `says`); the replacement's last by default.
    at: str | None = None
    opens_database: bool = False


CASES: dict[str, Bad] = {
    "unquoted quiet_start": Bad(
        ["{path}:{line}: field reminders.quiet_start", '"HH:MM"', 'write "21:00"'],
        replace=('quiet_start: "21:00"', "quiet_start: 21:00"),
    ),
    "unquoted digest time": Bad(
        ["{path}:{line}: field digests.daily_at", 'write "17:00"'], replace=('daily_at: "17:00"', "daily_at: 17:00")
    ),
    "hour out of range": Bad(
        ["{path}:{line}: field reminders.send_at", "'25:00' is not a time of day", '"00:00" to "23:59"'],
        replace=('send_at: "08:00"', 'send_at: "25:00"'),
    ),
    "a word for a time": Bad(
        ["{path}:{line}: field reminders.quiet_end", "'sáng' is not a time of day"],
        replace=('quiet_end: "07:00"', 'quiet_end: "sáng"'),
    ),
    "duplicate section": Bad(
        ["{path}:{line}: not valid YAML: key 'reminders' appears twice"],
        replace=("digests:\n", "reminders:\n  send_at: '09:00'\ndigests:\n"),
        at="reminders:",
    ),
    "duplicate key in a section": Bad(
        ["{path}:{line}: not valid YAML: key 'send_at' appears twice"],
        replace=('  send_at: "08:00"\n', '  send_at: "08:00"\n  send_at: "09:00"\n'),
        at='send_at: "09:00"',
    ),
    "not UTF-8": Bad(
        ["{path}:3: not UTF-8 (byte 0xe1", "save the file as UTF-8"],
        raw=CAMPAIGN.read_bytes().split(b"\n", 3)[0] + b"\n#\n# Th\xe1p M\xfd\xf5i\n",
    ),
    "no campaign file": Bad(["cannot read campaign file"], env={"CAMPAIGN_FILE": "/nonexistent/campaign.yaml"}),
    "unknown time zone": Bad(
        ["{path}:{line}: field campaign.timezone", "Asia/Atlantis"],
        replace=("timezone: Asia/Ho_Chi_Minh", "timezone: Asia/Atlantis"),
    ),
    "MySQL URL": Bad(
        [
            "setting DATABASE_URL",
            "accepted: sqlite:///relative/path.db, sqlite:////absolute/path.db or postgresql://",
            ":***@",
        ],
        env={"DATABASE_URL": "mysql://thidua:hunter2@db/thidua"},
        hidden=["hunter2"],
    ),
    "database URL with no file": Bad(["setting DATABASE_URL", "names no file"], env={"DATABASE_URL": "sqlite:///"}),
    "unknown log level": Bad(
        ["setting LOG_LEVEL: 'LOUD' is not a log level; accepted: DEBUG, INFO, WARNING, ERROR, CRITICAL"],
        env={"LOG_LEVEL": "LOUD"},
    ),
    "not a number": Bad(["setting MAX_FILES: 'năm'", "valid integer"], env={"MAX_FILES": "năm"}),
    "out of range": Bad(["setting MAX_FILE_MB: '50'", "less than or equal to 20"], env={"MAX_FILE_MB": "50"}),
    "a yes-or-no that is neither": Bad(
        ["setting MESSAGE_TRACING: 'perhaps'", "valid boolean"], env={"MESSAGE_TRACING": "perhaps"}
    ),
    "a retention of no days": Bad(
        ["setting PHONE_RETENTION_DAYS: '0'", "greater than 0"], env={"PHONE_RETENTION_DAYS": "0"}
    ),
    "a desk chat without its messenger": Bad(
        ["setting SECRETARIAT_CHATS: '-1001234' is not channel:chat_id", "telegram:-1001234567890"],
        env={"SECRETARIAT_CHATS": "-1001234"},
    ),
    "an admin id that is not a number": Bad(
        ["setting ADMIN_TELEGRAM_IDS: '@lan' is not a Telegram user id"], env={"ADMIN_TELEGRAM_IDS": "12,@lan"}
    ),
    "an API server without a scheme": Bad(
        ["setting TELEGRAM_API_BASE_URL: 'localhost:8081' is not a URL"],
        env={"TELEGRAM_API_BASE_URL": "localhost:8081"},
    ),
    # What a messenger checks as it starts is checked before anything starts (the database is opened by then).
    "a webhook without its secret": Bad(
        ["TELEGRAM_WEBHOOK_URL is set but TELEGRAM_WEBHOOK_SECRET is empty"],
        env={"TELEGRAM_BOT_TOKEN": "123:abc", "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/tg"},
        hidden=["123:abc"],
        opens_database=True,
    ),
    "a short Zalo secret": Bad(
        ["ZALO_WEBHOOK_SECRET must be 8 to 256 characters"],
        env={
            "ZALO_BOT_TOKEN": "z-token",
            "ZALO_WEBHOOK_URL": "https://bot.example.vn/zalo",
            "ZALO_WEBHOOK_SECRET": "abc",
        },
        hidden=["abc'", "z-token"],
        opens_database=True,
    ),
    "a Telegram secret with a space": Bad(
        ["TELEGRAM_WEBHOOK_SECRET may hold only letters, digits, _ and -"],
        env={
            "TELEGRAM_BOT_TOKEN": "123:abc",
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/tg",
            "TELEGRAM_WEBHOOK_SECRET": "my secret",
        },
        hidden=["my secret"],
        opens_database=True,
    ),
}


def campaign_for(case: Bad, folder: Path) -> tuple[Path, int]:
    """The campaign file of a case, and the line its change is on."""
    path = folder / "campaign.yaml"
    if case.raw is not None:
        path.write_bytes(case.raw)
        return path, 0
    text = CAMPAIGN.read_text(encoding="utf-8")
    if case.replace is None:
        path.write_text(text, encoding="utf-8")
        return path, 0
    old, new = case.replace
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    at = case.at or new.strip()
    return path, max(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if row.strip() == at)


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("command", ["check-config", "run"])
def test_a_bad_configuration_is_named_in_one_line(
    name: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    case = CASES[name]
    path, line = campaign_for(case, tmp_path)
    for variable in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "ADMIN_TELEGRAM_IDS", "ADMIN_ZALO_IDS"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'thidua.db'}")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("CAMPAIGN_FILE", str(path))
    for variable, value in case.env.items():
        monkeypatch.setenv(variable, value)

    code = main([command])

    out, err = capsys.readouterr()
    assert code == 1
    assert out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    for part in case.says:
        assert part.format(path=path, line=line) in err, err
    for secret in case.hidden:
        assert secret not in err
    assert "Traceback" not in err
    # Refused before anything was opened.
    assert (tmp_path / "thidua.db").exists() is case.opens_database


def test_the_shipped_configuration_passes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'thidua.db'}")
    monkeypatch.setenv("CAMPAIGN_FILE", str(CAMPAIGN))
    monkeypatch.setenv("LOG_LEVEL", "debug")
    assert main(["check-config"]) == 0
    assert "OK" in capsys.readouterr().out
