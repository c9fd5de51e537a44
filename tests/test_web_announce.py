"""Announcements from the desk: how many they reach before sending, then one outbox message per reader."""

from __future__ import annotations

from bot.app import App
from bot.domain.policy import Grant, Role
from tests.support.db import rows
from tests.support.desk import browser, signed_in
from tests.support.roles import registered, representative

TEXT = "Kính gửi các đơn vị: hạn nộp báo cáo tổng kết năm là ngày 10/12."


async def test_preview_then_send_to_a_unit(app: App) -> None:
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    await representative(app, "3001", "H-LAPVO")
    await representative(app, "3002", "H-THAPMUOI")
    async with browser(app) as client:
        csrf = await signed_in(app, secretary, client)
        form = {"csrf": csrf, "text": TEXT, "audience": "unit", "unit": "h-lapvo"}
        preview = await client.post("/announce", data=form)
        assert "Sẽ gửi tới 1 người" in preview.text
        assert rows(app, "SELECT COUNT(*) FROM announcements") == [(0,)]
        sent = await client.post("/announce", data={**form, "send": "1"})
        assert "Đã gửi thông báo tới 1 người" in sent.text
        everyone = await client.post("/announce", data={"csrf": csrf, "text": TEXT, "audience": "all"})
        assert "Sẽ gửi tới 2 người" in everyone.text
        short = await client.post("/announce", data={"csrf": csrf, "text": "ngắn", "audience": "all"})
        assert short.status_code == 400 and "từ 10 đến 3000 ký tự" in short.text
        nowhere = await client.post("/announce", data={"csrf": csrf, "text": TEXT, "audience": "unit", "unit": "X"})
        assert nowhere.status_code == 400
    assert rows(app, "SELECT chat_id FROM outbox WHERE kind = 'announcement'") == [("3001",)]
    assert rows(app, "SELECT channel, recipients FROM announcements") == [("web", 1)]
