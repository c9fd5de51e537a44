"""Registration by invite code: single use, expiry, revocation, and slowing down wrong guesses."""

from __future__ import annotations

import datetime as dt
import sqlite3

from bot.app import App
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from bot.storage.invites import InviteRepo
from tests.chat import Person
from tests.roles import invite_code


async def test_a_code_binds_the_person_to_the_unit_once(app: App) -> None:
    code = await invite_code(app, Grant(role=Role.UNIT_REP, unit_code="H-LAPVO"))
    first, second = Person(app, "1"), Person(app, "2")
    await first.say(f"/dangky {code.lower().replace('-', ' ')}")  # typed loosely
    assert "cán bộ đại diện của Huyện Lấp Vò" in first.text
    await second.say(f"/register {code}")
    assert "không dùng được" in second.text  # single use
    with sqlite3.connect(app.db.path) as conn:
        grants = conn.execute(
            "SELECT u.external_id, g.role, g.unit_code FROM role_grants g JOIN users u ON u.id = g.user_id"
        ).fetchall()
        audit = conn.execute("SELECT action FROM audit_log").fetchall()
    assert grants == [("1", "unit_rep", "H-LAPVO")]
    assert ("role.granted",) in audit


async def test_expired_and_revoked_codes_get_the_same_answer_as_wrong_ones(app: App, clock: FixedClock) -> None:
    expired = await invite_code(app, Grant(role=Role.UNIT_REP, unit_code="H-LAPVO"), valid_for=dt.timedelta(hours=1))
    revoked = await invite_code(app, Grant(role=Role.UNIT_REP, unit_code="H-LAPVO"))
    async with app.db.transaction() as conn:
        repo = InviteRepo(conn)
        await repo.revoke((await repo.listed())[-1].id, clock.now())
    clock.advance(dt.timedelta(hours=2))
    person = Person(app)
    answers = []
    for code in (expired, revoked, "ZZZZZ-ZZZZZ"):
        await person.say(f"/dangky {code}")
        answers.append(person.text)
    assert len(set(answers)) == 1 and "không dùng được" in answers[0]


async def test_repeated_wrong_codes_are_slowed_down(app: App, clock: FixedClock) -> None:
    good = await invite_code(app, Grant(role=Role.SECRETARIAT))
    person = Person(app)
    for attempt in range(5):
        await person.say(f"/dangky WRONG-{attempt}AAAA")
    await person.say(f"/dangky {good}")
    assert "thử lại sau khoảng 15 phút" in person.text
    clock.advance(dt.timedelta(minutes=16))
    await person.say(f"/dangky {good}")
    assert "Thường trực Hội đồng" in person.text


async def test_register_without_a_code_explains(app: App) -> None:
    person = Person(app)
    await person.say("/dangky")
    assert "/dangky ABCDE-FGHJK" in person.text


async def test_the_secretariat_creates_codes_in_chat(app: App) -> None:
    secretariat = Person(app, "900")
    await secretariat.say(f"/dangky {await invite_code(app, Grant(role=Role.SECRETARIAT))}")
    await secretariat.say("/moi H-TAMNONG")
    code = secretariat.text.split("Mã mời: ", 1)[1].split("\n", 1)[0]
    rep = Person(app, "901")
    await rep.say(f"/dangky {code}")
    assert "Huyện Tam Nông" in rep.text
    await secretariat.say("/moi CUM2 hoidong")
    assert "thành viên Hội đồng" in secretariat.text and "Cụm thi đua số 2" in secretariat.text
    await secretariat.say("/moi KHONG-CO")
    assert "không nhận ra" in secretariat.text
    await rep.say("/moi H-TAMNONG")
    assert "Chỉ Thường trực Hội đồng" in rep.text


async def test_administrators_from_the_environment(tmp_path: object, clock: FixedClock) -> None:
    from pathlib import Path

    from bot.app import build_app
    from tests.conftest import make_settings

    settings = make_settings(Path(str(tmp_path)), admin_telegram_ids="555, 556")
    app = await build_app(settings, clock)
    try:
        admin = Person(app, "555", channel="telegram")
        await admin.say("/moi H-LAPVO")
        assert "Mã mời:" in admin.text
        stranger = Person(app, "557", channel="telegram")
        await stranger.say("/moi H-LAPVO")
        assert "Chỉ Thường trực Hội đồng" in stranger.text
    finally:
        await app.close()
