"""What the reminders planner and the secretariat's digests read: who to tell about a unit, and who owes
and has sent which period's report."""

from __future__ import annotations

from bot.app import App
from bot.domain.policy import Grant, Role
from bot.domain.units import UnitFields
from bot.storage.reports import ReportRepo
from bot.storage.roles import RoleRepo
from bot.storage.units import UnitRepo
from tests.support.conversations import report_poverty
from tests.support.roles import invite_code, registered, representative


async def test_who_to_tell_about_a_unit(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await representative(app, "11", "H-THAPMUOI")
    await rep.say(f"/dangky {await invite_code(app, Grant(role=Role.UNIT_REP, unit_code='H-LAPVO'))}")
    await rep.say("/lang en")
    await registered(app, "20", Grant(role=Role.COUNCIL, group_code="CUM1"))
    await registered(app, "21", Grant(role=Role.COUNCIL, unit_code="H-THAPMUOI"))
    await registered(app, "22", Grant(role=Role.COUNCIL, group_code="CUM2"))
    await registered(app, "30", Grant(role=Role.SECRETARIAT))
    async with app.db.reading() as conn:
        roles = RoleRepo(conn)
        reps = await roles.representatives_of("H-THAPMUOI")
        council = await roles.council_members_for("H-THAPMUOI")
        council_lapvo = await roles.council_members_for("H-LAPVO")
        council_tanhong = await roles.council_members_for("H-TANHONG")
        secretariat = await roles.secretariat_users()
    assert [(u.external_id, u.channel, u.chat_id, u.lang) for u in reps] == [
        ("10", "console", "10", "en"),
        ("11", "console", "11", "vi"),
    ]
    assert [u.external_id for u in council] == ["20", "21"]  # through the cluster, and directly
    assert [u.external_id for u in council_lapvo] == ["20"]
    assert [u.external_id for u in council_tanhong] == ["22"]
    assert [u.external_id for u in secretariat] == ["30"]


async def test_council_members_follow_a_unit_into_its_new_cluster(app: App) -> None:
    await registered(app, "22", Grant(role=Role.COUNCIL, group_code="CUM2"))
    async with app.db.transaction() as conn:
        await UnitRepo(conn).record(
            UnitFields(code="H-LAPVO", name="Huyện Lấp Vò", kind="district", group="CUM2"),
            "test",
            app.services.clock.now(),
        )
        assert [u.external_id for u in await RoleRepo(conn).council_members_for("H-LAPVO")] == ["22"]


async def test_who_owes_and_who_has_sent(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(rep)
    await rep.tap("Gửi")
    campaign = app.services.campaign
    year_end, phase = campaign.period("CN"), campaign.period("DOT-CDS")
    assert year_end is not None and phase is not None
    async with app.db.reading() as conn:
        units = await UnitRepo(conn).active()
        owing_year_end = await UnitRepo(conn).owing(year_end)
        owing_phase = await UnitRepo(conn).owing(phase)
        sent = await ReportRepo(conn).submitted_unit_codes("CN")
        nothing = await ReportRepo(conn).submitted_unit_codes("6T")
    first = units[0]
    assert (first.code, first.name, first.kind, first.parent, first.group) == (
        "BAO-DT",
        "Báo Đồng Tháp",
        "agency",
        None,
        "KHOI-VHXH",
    )
    assert len(units) == len(owing_year_end) == 18  # every unit, by default
    assert {u.kind for u in owing_phase} == {"city", "district"} and len(owing_phase) == 12
    assert sent == {"H-THAPMUOI"} and nothing == set()
