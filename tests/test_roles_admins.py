"""Operators at the command line: invite codes, administrators, who holds which role, the audit log."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.cli import Cli
from tests.support.db import file_rows


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> Cli:
    return Cli(monkeypatch, capsys, tmp_path)


def test_invites_from_the_command_line(cli: Cli) -> None:
    code, out = cli("invite", "create", "--unit", "h-lapvo", "--uses", "3", "--expires", "2d")
    assert code == 0
    invite = out.splitlines()[0]
    assert len(invite) == 11 and invite[5] == "-"
    assert "invite 1: unit_rep H-LAPVO, 3 use(s)" in out and f"/dangky {invite}" in out
    listing = cli("invite", "list")[1]
    assert "unit_rep" in listing and "H-LAPVO" in listing and "3 use(s) left" in listing and invite not in listing
    assert cli("invite", "revoke", "1") == (0, "invite 1 revoked\n")
    assert "revoked" in cli("invite", "list")[1]
    assert cli("invite", "revoke", "1")[0] == 1
    code, out = cli("invite", "create", "--role", "council", "--group", "cum2")
    assert code == 0 and "council CUM2" in out
    assert cli("invite", "create", "--unit", "NOPE") == (2, "error: no active unit with code NOPE\n")
    assert cli("invite", "create", "--role", "council")[1].startswith("error: a council member's invite needs")
    assert "error: --expires" in cli("invite", "create", "--unit", "H-LAPVO", "--expires", "soon")[1]
    assert file_rows(cli.db, "SELECT action, channel FROM audit_log WHERE action LIKE 'invite.%' ORDER BY id") == [
        ("invite.created", "cli"),
        ("invite.revoked", "cli"),
        ("invite.created", "cli"),
    ]


def test_administrators_and_roles(cli: Cli) -> None:
    tg = ("--channel", "telegram")
    assert cli("admin", "add", *tg, "--user", "4242") == (0, "telegram user 4242 is now an administrator\n")
    assert cli("admin", "add", *tg, "--user", "4242")[1] == "telegram user 4242 is already an administrator\n"
    assert cli("admin", "add", "--channel", "zalo", "--user", "z-1")[0] == 0
    roles = cli("admin", "roles")[1]
    assert "telegram  4242" in roles and "zalo      z-1" in roles and roles.count("admin") == 2
    assert cli("admin", "remove", *tg, "--user", "4242") == (0, "telegram user 4242 no longer holds the role admin\n")
    assert cli("admin", "remove", *tg, "--user", "4242")[0] == 1
    assert "4242" not in cli("admin", "roles")[1]
    code, out = cli("admin", "revoke", *tg, "--user", "9", "--role", "rep", "--unit", "H-LAPVO")
    assert code == 1 and "does not hold the role unit_rep of H-LAPVO" in out
    audit = cli("admin", "audit", "--action", "role.")[1].splitlines()
    assert [line.split()[4] for line in audit] == ["role.granted", "role.granted", "role.revoked"]
    assert all(" cli " in line for line in audit)


def test_with_no_token_an_administrator_is_a_terminal_user(cli: Cli) -> None:
    code, out = cli("admin", "add", "--user", "1001")
    assert code == 0 and out.startswith("terminal chat user 1001 is now an administrator\n")
    assert "python -m bot chat --user 1001" in out and "make run USER=1001" in out
    assert "console   1001" in cli("admin", "roles")[1]


def test_an_audit_filter_that_matches_nothing_says_so(cli: Cli) -> None:
    cli("admin", "add", "--user", "1001")
    out = cli("admin", "audit", "--action", "review")[1]
    assert "empty" not in out and "no audit log entry with an action starting with 'review'" in out


def test_an_empty_installation_says_so(cli: Cli) -> None:
    assert "nobody holds a role yet" in cli("admin", "roles")[1]
    assert cli("reports", "list", "--period", "CN")[1] == "no reports\n"
    assert cli("reports", "list", "--period", "NOPE")[0] == 2
    assert cli("reports", "show", "BC-2026-CN-X-v1")[0] == 1
