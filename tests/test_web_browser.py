"""The desk in a real browser (Debian's Chromium through Playwright): a secretary signs in from the link
the bot sent in the chat, filters the queue, opens a nomination, sees its photo, approves it, and the
nominator's chat receives the decision through the outbox. Screenshots go to test-screenshots/ on failure."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from bot.outbox.limits import ChannelLimits
from bot.outbox.worker import OutboxWorker
from tests.support.browser import chromium, free_port, keep_screenshot, need_chromium, served
from tests.support.config import make_settings
from tests.support.conversations import Member, nominate, status_of
from tests.support.desk import png
from tests.support.fake_sender import FakeSender
from tests.support.roles import registered

LINK = re.compile(r"http://127\.0\.0\.1:\d+/signin/[A-Za-z0-9_-]+")


@pytest.fixture
async def desk_app(tmp_path: Path, clock: FixedClock) -> AsyncIterator[App]:
    need_chromium()
    application = await build_app(make_settings(tmp_path, web_port=free_port()), clock)
    try:
        yield application
    finally:
        await application.close()


async def screenshots_on_failure(page: Any, name: str, steps: Callable[[], Awaitable[None]]) -> None:
    try:
        await steps()
    except BaseException:
        path = await keep_screenshot(page, name)
        print(f"screenshot of the failure: {path}")
        raise


@pytest.mark.long
async def test_a_secretary_reviews_in_the_browser_and_the_nominator_is_told(
    desk_app: App, tmp_path: Path, clock: FixedClock
) -> None:
    app = desk_app
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    nominator = Member(app, "1001")
    photo = tmp_path / "cau.png"
    photo.write_bytes(png(40, 30))
    wanted = await nominate(nominator, "Nguyễn Văn An", evidence=photo)
    other = await nominate(nominator, "Lê Thị Đào", unit="lap vo")
    nominator.inbox()
    await secretary.say("/web")
    found = LINK.search(secretary.text)
    assert found, secretary.text
    async with served(app), chromium() as page:

        async def steps() -> None:
            await page.goto(found.group(0))
            await page.click("#signin")
            await page.wait_for_url("**/queue")
            assert await page.locator(f"a[href='/n/{other}']").count() == 1
            # Typing a name without its diacritics filters the queue as one types (htmx, no reload).
            await page.fill("#q", "nguyen van an")
            await page.locator(f"a[href='/n/{other}']").wait_for(state="detached")
            assert "q=nguyen%20van%20an" in page.url  # the address keeps the filter
            await page.click(f"a[href='/n/{wanted}']")
            await page.wait_for_url(f"**/n/{wanted}")
            image = page.locator("ul.evidence img")
            await image.wait_for()
            # The element is there before its picture has loaded: wait for the load, then check the picture.
            await page.wait_for_function("() => document.querySelector('ul.evidence img').complete")
            assert await image.evaluate("img => img.naturalWidth") == 40
            await page.check("input[name=publication]")
            await page.click("#approve")
            await page.wait_for_url("**done=approve")
            assert "Đã duyệt" in await page.locator("p.notice").inner_text()

        await screenshots_on_failure(page, "review-approve", steps)
    assert status_of(app, wanted) == "approved"
    sender = FakeSender("console", clock=clock)
    worker = OutboxWorker(app.db, {"console": sender}, clock, {"console": ChannelLimits(per_second=100)})
    while await worker.run_once():
        pass
    told = [text for chat, text in sender.delivered if chat == "1001"]
    assert len(told) == 1 and wanted in told[0] and "duyệt" in told[0]


HOSTILE = "<script>alert(1)</script>\u202e<img src=x onerror=alert(2)>" + "Nguyễn" * 40


async def test_a_reviewer_rejects_with_a_reason_on_a_phone_and_public_text_stays_text(desk_app: App) -> None:
    app = desk_app
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    nominator = Member(app, "1001")
    reference = await nominate(nominator)
    hostile = await nominate(nominator, "Trần Văn Bình")
    with sqlite3.connect(app.db.path) as conn:
        # Whatever reached the database by any road: a name and a deed made to run script or break the page.
        conn.execute("DROP TRIGGER nominations_content_is_immutable")
        conn.execute(
            "UPDATE nominations SET nominee_name = ?, deed = ? WHERE reference = ?", (HOSTILE, HOSTILE * 3, hostile)
        )
    nominator.inbox()
    await secretary.say("/web")
    found = LINK.search(secretary.text)
    assert found
    async with served(app), chromium(390, 844) as page:
        dialogs: list[str] = []
        page.on("dialog", lambda dialog: dialogs.append(dialog.message))

        async def steps() -> None:
            await page.goto(found.group(0))
            await page.click("#signin")
            await page.wait_for_url("**/queue")
            assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            await page.click(f"a[href='/n/{hostile}']")
            await page.wait_for_url(f"**/n/{hostile}")
            assert "<script>alert(1)</script>" in await page.locator(".facts .nominee").inner_text()
            assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
            await page.goto(page.url.rsplit("/n/", 1)[0] + "/queue")
            await page.click(f"a[href='/n/{reference}']")
            await page.fill("form[action$='/reject'] textarea", "Chưa có xác nhận của địa phương")
            await page.click("#reject")
            await page.wait_for_url("**done=reject")
            # Nothing is wider than the phone's screen.
            assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        await screenshots_on_failure(page, "review-reject-phone", steps)
    assert dialogs == []
    assert status_of(app, reference) == "rejected"
    assert "Chưa có xác nhận của địa phương" in nominator.inbox_text
