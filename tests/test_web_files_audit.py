"""Files and the audit log on the desk: exports made as /xuat makes them, downloaded only by whoever made
them, phone numbers only for administrators; every export and sign-in on the log."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.app import App
from bot.domain.policy import Grant, Role
from tests.support.conversations import Member, nominate
from tests.support.desk import browser, signed_in
from tests.support.roles import registered


async def test_a_secretary_makes_and_downloads_the_workbook_without_phone_numbers(app: App) -> None:
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    reference = await nominate(Member(app, "1001"))
    async with browser(app) as client:
        csrf = await signed_in(app, secretary, client)
        page = await client.get("/files")
        assert page.status_code == 200 and 'name="contacts"' not in page.text
        refused = await client.post(
            "/files/make", data={"csrf": csrf, "scope": "days:7", "kind": "xlsx", "contacts": "1"}
        )
        assert refused.status_code == 403
        bad = await client.post("/files/make", data={"csrf": csrf, "scope": "days:9999", "kind": "xlsx"})
        assert bad.status_code == 400
        made = await client.post("/files/make", data={"csrf": csrf, "scope": "days:7", "kind": "xlsx"})
        assert made.status_code == 200
        link = made.text.split('href="/files/download/', 1)[1].split('"', 1)[0]
        assert link.endswith(".xlsx") and "lienhe" not in link
        download = await client.get(f"/files/download/{link}")
        assert download.status_code == 200
        assert download.headers["content-disposition"].startswith("attachment")
        book = load_workbook(io.BytesIO(download.content))
        cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
        assert reference in cells
        assert not any("912345678" in c for c in cells)
        assert (await client.get("/files/download/..%2Fthidua.db")).status_code == 404
        log = await client.get("/audit", params={"action": "export."})
        assert "export.made" in log.text and "(web)" in log.text
    other = await registered(app, "2002", Grant(role=Role.SECRETARIAT))
    async with browser(app) as client:
        await signed_in(app, other, client)
        assert (await client.get(f"/files/download/{link}")).status_code == 404  # not theirs


async def test_an_administrator_may_take_the_phone_numbers(app: App) -> None:
    admin = await registered(app, "2001", Grant(role=Role.ADMIN))
    await nominate(Member(app, "1001"))
    async with browser(app) as client:
        csrf = await signed_in(app, admin, client)
        assert 'name="contacts"' in (await client.get("/files")).text
        made = await client.post(
            "/files/make", data={"csrf": csrf, "scope": "days:30", "kind": "xlsx", "contacts": "1"}
        )
        link = made.text.split('href="/files/download/', 1)[1].split('"', 1)[0]
        assert "-lienhe-" in link
        book = load_workbook(io.BytesIO((await client.get(f"/files/download/{link}")).content))
        cells = [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value]
        assert any("912345678" in c for c in cells)


async def test_the_audit_log_filtered(app: App) -> None:
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    reference = await nominate(Member(app, "1001"))
    async with browser(app) as client:
        await signed_in(app, secretary, client)
        everything = await client.get("/audit")
        assert '<td data-label="Việc">web.signed_in</td>' in everything.text
        assert '<td data-label="Việc">nomination.submitted</td>' in everything.text
        only = await client.get("/audit", params={"subject": reference})
        assert '<td data-label="Việc">nomination.submitted</td>' in only.text
        assert '<td data-label="Việc">web.signed_in</td>' not in only.text
        assert f'href="/n/{reference}"' in only.text
        none = await client.get("/audit", params={"since": "2030-01-01"})
        assert "Không có dòng nào" in none.text
