"""The reporting grid on the desk: on time, late, missing and amended, and every version a click away."""

from __future__ import annotations

import datetime as dt
import re

from bot.app import App
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from tests.support.conversations import report_poverty
from tests.support.desk import browser, signed_in
from tests.support.roles import registered, representative


def cell_of(page: str, unit: str, period: str) -> str:
    """The text of the grid's cell for a unit and a period."""
    row = re.search(
        rf'<tr>\s*<th scope="row"><bdi>[^<]*</bdi> <span class="muted">{unit}</span></th>(.*?)</tr>', page, re.S
    )
    assert row, f"no row for {unit}"
    cells = re.findall(r'<td class="cell ([a-z_]+)">(.*?)</td>', row.group(1), re.S)
    headers = re.findall(r"<th>([^<]*)<br>", page)
    index = next(i for i, h in enumerate(headers) if period in h)
    state, inner = cells[index]
    return f"{state}: {' '.join(re.sub(r'<[^>]+>', ' ', inner).split())}"


async def test_the_grid_shows_on_time_late_missing_and_amended(app: App, clock: FixedClock) -> None:
    on_time = await representative(app, "10", "H-THAPMUOI")
    await report_poverty(on_time)
    await on_time.tap("Gửi")
    clock.set(dt.datetime(2026, 12, 11, 3, 0, tzinfo=dt.UTC))  # the day after the year-end deadline
    late = await representative(app, "11", "H-LAPVO")
    await report_poverty(late)
    await late.tap("Gửi")
    await report_poverty(on_time, amendment=True)
    await on_time.tap("Gửi")
    secretary = await registered(app, "20", Grant(role=Role.SECRETARIAT))
    async with browser(app) as client:
        await signed_in(app, secretary, client)
        grid = await client.get("/grid")
        assert grid.status_code == 200
        assert cell_of(grid.text, "H-THAPMUOI", "tổng kết năm") == "on_time: Đúng hạn · 2 bản"
        assert cell_of(grid.text, "H-LAPVO", "tổng kết năm") == "late: Trễ hạn"
        assert cell_of(grid.text, "H-CAOLANH", "tổng kết năm") == "missing: Chưa nộp"
        assert cell_of(grid.text, "H-THAPMUOI", "6 tháng") == "missing: Chưa nộp"
        assert 'href="/grid/CN/H-THAPMUOI"' in grid.text
        versions = await client.get("/grid/CN/H-THAPMUOI")
        assert versions.status_code == 200
        assert "Bản 1" in versions.text and "Bản 2" in versions.text
        assert "BC-2026-CN-H-THAPMUOI-v2" in versions.text
        assert (await client.get("/grid/NOPE/H-THAPMUOI")).status_code == 404


async def test_the_grid_by_role(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    council = await registered(app, "12", Grant(role=Role.COUNCIL, group_code="CUM1"))
    admin = await registered(app, "13", Grant(role=Role.ADMIN))
    for person in (rep, council):
        await person.say("/web")
        assert "/signin/" not in person.text
    async with browser(app) as client:
        await signed_in(app, admin, client)
        assert (await client.get("/grid")).status_code == 200
        assert (await client.get("/queue")).status_code == 200
    async with browser(app) as client:
        assert (await client.get("/grid")).headers["location"] == "/signin"
