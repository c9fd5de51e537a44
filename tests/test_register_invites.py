"""Registration by invite code: single use unless said otherwise, expiry, revocation, wrong guesses slowed
down across restarts, and codes made in the chat by the secretariat."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.domain.invites import ALPHABET
from bot.domain.policy import Grant, Role
from bot.domain.units import UnitFields, UnitStatus
from bot.storage.invites import InviteRepo
from bot.storage.units import UnitRepo
from tests.support.chat import Person
from tests.support.config import make_settings
from tests.support.db import rows
from tests.support.roles import invite_code, registered

INVALID = "Mã mời này không dùng được"


def code_in(text: str) -> str:
    found = re.search(r"Mã mời: (\S+)", text)
    assert found, text
    return found.group(1)


async def test_a_code_binds_the_person_to_the_unit_once(app: App) -> None:
    code = await invite_code(app, Grant(role=Role.UNIT_REP, unit_code="H-LAPVO"))
    assert re.fullmatch(f"[{ALPHABET}]{{5}}-[{ALPHABET}]{{5}}", code)
    first, second = Person(app, "1"), Person(app, "2")
    await first.say(f"/dangky {code.lower().replace('-', ' ')}")  # typed loosely
    assert "cán bộ đại diện của Huyện Lấp Vò" in first.text
    await first.say(f"/dangky {code}")
    assert INVALID in first.text  # used up, even for the one who used it
    await second.say(f"/register {code}")
    assert INVALID in second.text
    assert rows(
        app, "SELECT u.external_id, g.role, g.unit_code FROM role_grants g JOIN users u ON u.id = g.user_id"
    ) == [("1", "unit_rep", "H-LAPVO")]
    assert rows(app, "SELECT action, channel, subject FROM audit_log WHERE action LIKE 'role.%'") == [
        ("role.granted", "console", "user:1")
    ]
    # The database keeps a hash of the code, never the code.
    assert code.replace("-", "") not in str(rows(app, "SELECT * FROM invites"))


async def test_expired_and_revoked_codes_get_the_same_answer_as_wrong_ones(app: App, clock: FixedClock) -> None:
    expired = await invite_code(app, Grant(role=Role.UNIT_REP, unit_code="H-LAPVO"), valid_for=dt.timedelta(hours=1))
    revoked = await invite_code(app, Grant(role=Role.UNIT_REP, unit_code="H-LAPVO"))
    async with app.db.transaction() as conn:
        repo = InviteRepo(conn)
        await repo.revoke((await repo.listed())[-1].id, clock.now())
    clock.advance(dt.timedelta(hours=2))
    person = Person(app)
    answers = []
    for code in (expired, revoked, "ZZZZZ-ZZZZZ", "x" * 500):
        await person.say(f"/dangky {code}")
        answers.append(person.text)
    assert len(set(answers)) == 1 and INVALID in answers[0]
    assert rows(app, "SELECT COUNT(*) FROM role_grants") == [(0,)]


async def test_repeated_wrong_codes_are_slowed_down_even_across_a_restart(tmp_path: Path, clock: FixedClock) -> None:
    app = await build_app(make_settings(tmp_path), clock)
    good = await invite_code(app, Grant(role=Role.SECRETARIAT))
    person = Person(app)
    for attempt in range(5):
        await person.say(f"/dangky WRONG-{attempt}AAAA")
        assert INVALID in person.text
    await app.close()
    app = await build_app(make_settings(tmp_path), clock)  # a restart does not reset the count
    try:
        person = Person(app)
        clock.advance(dt.timedelta(minutes=5))
        await person.say(f"/dangky {good}")
        assert "thử lại sau khoảng 10 phút (từ 09:15)" in person.text  # 09:05 now, in Đồng Tháp
        clock.advance(dt.timedelta(minutes=11))
        await person.say(f"/dangky {good}")
        assert "Thường trực Hội đồng" in person.text
    finally:
        await app.close()


async def test_register_without_a_code_explains(app: App) -> None:
    person = Person(app)
    await person.say("/dangky")
    assert "/dangky ABCDE-FGHJK" in person.text


async def test_a_code_for_a_unit_merged_since_is_refused(app: App, clock: FixedClock) -> None:
    code = await invite_code(app, Grant(role=Role.UNIT_REP, unit_code="H-LAPVO"))
    async with app.db.transaction() as conn:
        await UnitRepo(conn).record(
            UnitFields(
                code="H-LAPVO", name="Huyện Lấp Vò", kind="district", status=UnitStatus.MERGED, merged_into="H-LAIVUNG"
            ),
            "test",
            clock.now(),
        )
    person = Person(app)
    await person.say(f"/dangky {code}")
    assert "đã sáp nhập" in person.text
    assert rows(app, "SELECT COUNT(*) FROM role_grants") == [(0,)]


async def test_the_secretariat_creates_codes_in_chat(app: App) -> None:
    secretariat = await registered(app, "900", Grant(role=Role.SECRETARIAT))
    await secretariat.say("/moi H-TAMNONG 3 7d")
    text = secretariat.text
    assert "Số người dùng được: 3" in text and "Hết hạn lúc 09:00 05/12/2026" in text
    code = code_in(text)
    for user in ("901", "902", "903"):
        rep = Person(app, user)
        await rep.say(f"/dangky {code}")
        assert "Huyện Tam Nông" in rep.text
    late = Person(app, "904")
    await late.say(f"/dangky {code}")
    assert INVALID in late.text

    await secretariat.say("/moi CUM2 hoidong")
    assert "thành viên Hội đồng" in secretariat.text and "Cụm thi đua số 2" in secretariat.text
    council = Person(app, "905")
    await council.say(f"/dangky {code_in(secretariat.text)}")
    assert "phụ trách Cụm thi đua số 2 (mẫu)" in council.text

    await secretariat.say("/moi thuongtruc")
    assert "Thường trực Hội đồng (Sở Nội vụ) — toàn tỉnh" in secretariat.text
    await secretariat.say("/moi quantri")
    assert "Chỉ quản trị viên mới tạo được mã mời cho quản trị viên" in secretariat.text
    await secretariat.say("/moi KHONG-CO")
    assert 'không nhận ra "KHONG-CO"' in secretariat.text
    await secretariat.say("/moi")
    assert "Cách tạo mã mời" in secretariat.text
    await secretariat.say("/moi H-TAMNONG 5000")
    assert "tối đa 200 người" in secretariat.text
    assert rows(app, "SELECT role, unit_code, group_code, uses_left FROM invites ORDER BY id") == [
        ("secretariat", None, None, 0),  # the one the test person registered with
        ("unit_rep", "H-TAMNONG", None, 0),
        ("council", None, "CUM2", 0),
        ("secretariat", None, None, 1),
    ]
    assert len(rows(app, "SELECT * FROM audit_log WHERE action = 'invite.created' AND channel = 'console'")) == 3


async def test_administrators_from_the_environment(tmp_path: Path, clock: FixedClock) -> None:
    app = await build_app(make_settings(tmp_path, admin_telegram_ids="555, 556", admin_zalo_ids="777"), clock)
    try:
        for user, channel in (("555", "telegram"), ("777", "zalo")):
            admin = Person(app, user, channel=channel)
            await admin.say("/moi quantri")
            assert "Mã mời:" in admin.text and "quản trị viên" in admin.text
        stranger = Person(app, "557", channel="telegram")
        await stranger.say("/moi H-LAPVO")
        assert "Chỉ Thường trực Hội đồng" in stranger.text
        same_id_elsewhere = Person(app, "555", channel="zalo")  # an id counts on its own messenger only
        await same_id_elsewhere.say("/moi H-LAPVO")
        assert "Chỉ Thường trực Hội đồng" in same_id_elsewhere.text
    finally:
        await app.close()
