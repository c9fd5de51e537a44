"""What the secretariat's files are made from: nominations and reports written through the repositories, and
the files read back."""

from __future__ import annotations

from pathlib import Path

import openpyxl
from docx import Document

from bot.app import App
from bot.domain.export_rows import ExportKind, ExportScope
from bot.domain.nomination import NewNomination, NomineeKind
from bot.domain.reports import AreaReport, NewReport
from bot.domain.review import Decision
from bot.domain.users import User
from bot.exports.making import ExportRequest, MadeFile, make_exports
from bot.storage.nominations import NominationRepo
from bot.storage.reports import ReportRepo
from bot.storage.review import ReviewRepo
from bot.storage.units import UnitRepo
from bot.storage.users import UserRepo
from tests.support.chat import Person
from tests.support.conversations import answer_up_to_summary

PHONE = "+84912345678"


NOMINATOR = "Trần Thị Bình"


DEED = "Chị đã vận động bà con góp tiền làm lại cây cầu khỉ cho học sinh đi học an toàn."


FORMULA_DEED = '=HYPERLINK("http://x") ông đã cứu hai em nhỏ đuối nước ở kênh Nguyễn Văn Tiếp.'


POVERTY = "Hỗ trợ sinh kế cho 320 hộ nghèo, xây 45 căn nhà đại đoàn kết trong kỳ."


OCOP = "Có thêm 6 sản phẩm OCOP 3 sao, trong đó 2 sản phẩm từ sen Tháp Mười."


async def user(app: App, external_id: str, name: str) -> User:
    async with app.db.transaction() as conn:
        return await UserRepo(conn).get_or_create(
            "console", external_id, external_id, name, "vi", app.services.clock.now()
        )


async def nominate(
    app: App,
    by: User,
    name: str,
    *,
    kind: NomineeKind = NomineeKind.INDIVIDUAL,
    deed: str = DEED,
    unit: str = "H-LAPVO",
) -> str:
    now = app.services.clock.now()
    new = NewNomination(
        campaign_code="DT-2026",
        submitted_by=by.id,
        channel="console",
        nominee_kind=kind,
        nominee_name=name,
        unit_code=unit,
        category_code="PT01",
        deed=deed,
        anonymous=False,
        nominator_name=NOMINATOR,
        nominator_phone=PHONE,
        consent_at=now,
    )
    async with app.db.transaction() as conn:
        return (await NominationRepo(conn).create(new, 2026, now)).reference


async def decide(app: App, reviewer: User, reference: str, decision: Decision, **extra: object) -> None:
    async with app.db.transaction() as conn:
        reason = "Chưa đủ căn cứ" if decision is Decision.REJECT else None
        outcome = await ReviewRepo(conn).decide(
            reference,
            decision,
            reviewer,
            app.services.clock.now(),
            reason=reason,
            **extra,  # type: ignore[arg-type]
        )
        assert outcome is not None and outcome.won


async def report(
    app: App, by: User, unit: str, areas: list[AreaReport], *, late: bool = False, period: str = "CN"
) -> str:
    now = app.services.clock.now()
    async with app.db.transaction() as conn:
        version = await UnitRepo(conn).get(unit)
        assert version is not None
        new = NewReport(
            campaign_code="DT-2026",
            period_code=period,
            unit_code=unit,
            submitted_by=by.id,
            channel="console",
            areas=areas,
        )
        return (await ReportRepo(conn).create(new, version.version_id, 2026, late, now)).reference


async def seed(app: App) -> None:
    """Six nominations in every state the bulletin must tell apart, and the reports of four units."""
    citizen = Person(app, "5001")
    await answer_up_to_summary(citizen)  # Nguyễn Văn An, with the nominator's phone, left awaiting review
    await citizen.tap("Gửi")
    assert "NTVT-2026-000001" in citizen.text
    someone = await user(app, "5002", "Bình")
    reviewer = await user(app, "5003", "Lan")
    hoa = await nominate(app, someone, "Lê Thị Hoa")
    await decide(app, reviewer, hoa, Decision.APPROVE, for_publication=True)
    async with app.db.transaction() as conn:
        await ReviewRepo(conn).record_consent(hoa, reviewer, app.services.clock.now())
    bay = await nominate(app, someone, "Trần Văn Bảy")
    await decide(app, reviewer, bay, Decision.APPROVE, for_publication=True)
    women = await nominate(app, someone, "Hội Phụ nữ xã Mỹ An", kind=NomineeKind.COLLECTIVE)
    await decide(app, reviewer, women, Decision.APPROVE, for_publication=True)
    tu = await nominate(app, someone, "Phạm Văn Tư", deed=FORMULA_DEED)
    await decide(app, reviewer, tu, Decision.APPROVE)
    nam = await nominate(app, someone, "Võ Thị Năm")
    await decide(app, reviewer, nam, Decision.REJECT)

    rep = await user(app, "5004", "Đại diện")
    await report(
        app,
        rep,
        "H-THAPMUOI",
        [
            AreaReport(area_code="ND04", narrative=OCOP, values={"OCOP-MOI": 6}),
            AreaReport(area_code="ND16", narrative=POVERTY, values={"HO-THOAT-NGHEO": 120, "TY-LE-NGHEO": 2.75}),
        ],
    )
    await report(app, rep, "H-LAPVO", [AreaReport(area_code="ND16", narrative="Bản đầu, sẽ sửa lại số liệu.")])
    await report(
        app,
        rep,
        "H-LAPVO",
        [AreaReport(area_code="ND16", narrative="Bản sửa: hỗ trợ 30 hộ thoát nghèo.", values={"HO-THOAT-NGHEO": 30})],
        late=True,
    )
    await report(
        app, rep, "SO-NOIVU", [AreaReport(area_code="ND01", narrative="Tổ chức học tập nghị quyết cho 100% cán bộ.")]
    )


async def export(app: App, folder: Path, kind: ExportKind, *, with_contacts: bool = False) -> MadeFile:
    period = app.services.campaign.period("CN")
    assert period is not None
    request = ExportRequest(scope=ExportScope.of_period(period), kinds=[kind], with_contacts=with_contacts)
    made = await make_exports(
        app.db.path, app.services.campaign, app.services.catalog, request, app.services.clock.now(), folder=folder
    )
    assert [m.kind for m in made] == [kind] and made[0].path.is_file()
    return made[0]


def docx_text(path: Path) -> tuple[list[str], list[list[str]]]:
    """The document's paragraphs, and each table's cell texts."""
    doc = Document(str(path))
    tables = [[cell.text for row in table.rows for cell in row.cells] for table in doc.tables]
    return [p.text for p in doc.paragraphs], tables


def phones_in(path: Path) -> list[str]:
    book = openpyxl.load_workbook(path)
    return [
        str(v) for s in book.worksheets for row in s.iter_rows(values_only=True) for v in row if v and PHONE in str(v)
    ]
