"""Today's digest on the desk: the chat's own words and chart, the chart served only to whoever asked."""

from __future__ import annotations

import re

from bot.app import App
from bot.domain.policy import Grant, Role
from tests.support.conversations import Member, nominate
from tests.support.desk import browser, signed_in
from tests.support.roles import registered


async def test_the_digest_page_shows_todays_digest_and_its_chart(app: App) -> None:
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    reference = await nominate(Member(app, "1001"))
    async with browser(app) as client:
        await signed_in(app, secretary, client)
        page = await client.get("/digest")
        assert page.status_code == 200
        assert "TỔNG HỢP" in page.text and reference in page.text
        found = re.search(r'src="/digest/chart/([^"]+)"', page.text)
        assert found, "no chart"
        chart = await client.get(f"/digest/chart/{found.group(1)}")
        assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
        assert (await client.get("/digest/chart/..%2F..%2Fthidua.db")).status_code == 404
    other = await registered(app, "2002", Grant(role=Role.SECRETARIAT))
    async with browser(app) as client:
        await signed_in(app, other, client)
        assert (await client.get(f"/digest/chart/{found.group(1)}")).status_code == 404
