"""Signing in to the desk with the one-time link the bot sends in the chat, and the session it opens."""

from __future__ import annotations

import datetime as dt
import sqlite3

from bot.app import App
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from tests.support.chat import Person
from tests.support.desk import browser, csrf_of, link_from_chat, sign_in
from tests.support.roles import registered, revoke


async def test_a_secretary_signs_in_from_the_chat_link_and_lands_on_the_queue(app: App) -> None:
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    link = await link_from_chat(secretary)
    assert "10 phút" in secretary.text
    assert secretary.text.count("http://127.0.0.1:8080/signin/") == 1
    async with browser(app) as client:
        # Opening the link (as a messenger's preview would) uses nothing: the page only offers the button.
        for _ in range(2):
            page = await client.get(link)
            assert page.status_code == 200
            assert "Đăng nhập" in page.text
        answer = await client.post(link, data={"csrf": csrf_of(page)})
        assert answer.status_code == 303 and answer.headers["location"] == "/queue"
        cookie = next(v for k, v in answer.headers.multi_items() if k == "set-cookie" and "desk_session=" in v)
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie
        queue = await client.get("/queue")
        assert queue.status_code == 200
        assert "Hàng chờ xét duyệt" in queue.text
    with sqlite3.connect(app.db.path) as conn:
        stored = conn.execute("SELECT token_hash, used_at FROM web_links").fetchall()
        audit = conn.execute("SELECT action, channel FROM audit_log WHERE action LIKE 'web.%'").fetchall()
    token = link.rsplit("/", 1)[1]
    assert len(stored) == 1 and token not in stored[0][0] and stored[0][1] is not None
    assert audit == [("web.signed_in", "web")]


async def test_a_link_works_once(app: App) -> None:
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    link = await link_from_chat(secretary)
    async with browser(app) as first, browser(app) as second:
        # Two browsers were shown the page; the first to press the button uses the link.
        first_page, second_page = await first.get(link), await second.get(link)
        assert (await first.post(link, data={"csrf": csrf_of(first_page)})).status_code == 303
        again = await second.post(link, data={"csrf": csrf_of(second_page)})
        assert again.status_code == 410
        assert "đã được dùng hoặc đã hết hạn" in again.text
        assert (await second.get("/queue")).status_code == 303
        assert (await first.get(link)).status_code == 410


async def test_an_expired_link_signs_nobody_in(app: App, clock: FixedClock) -> None:
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    link = await link_from_chat(secretary)
    async with browser(app) as client:
        page = await client.get(link)
        clock.advance(dt.timedelta(minutes=10, seconds=1))
        late = await client.post(link, data={"csrf": csrf_of(page)})
        assert late.status_code == 410
        assert (await client.get("/queue")).headers["location"] == "/signin"


async def test_a_link_for_someone_who_lost_the_role_signs_nobody_in(app: App) -> None:
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    link = await link_from_chat(secretary)
    await revoke(app, "2001", Grant(role=Role.SECRETARIAT))
    async with browser(app) as client:
        page = await client.get(link)
        refused = await client.post(link, data={"csrf": csrf_of(page)})
        assert refused.status_code == 403
        assert "không có quyền" in refused.text
        assert (await client.get("/queue")).status_code == 303


async def test_a_session_ends_when_the_role_is_taken_away(app: App) -> None:
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    async with browser(app) as client:
        await sign_in(client, await link_from_chat(secretary))
        assert (await client.get("/queue")).status_code == 200
        await revoke(app, "2001", Grant(role=Role.SECRETARIAT))
        refused = await client.get("/queue")
        assert refused.status_code == 403


async def test_the_button_without_the_pages_token_signs_nobody_in(app: App) -> None:
    """A page of another site posting a link of its own cannot sign a visitor in."""
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    link = await link_from_chat(secretary)
    async with browser(app) as client:
        forged = await client.post(link, data={"csrf": "guess"})
        assert forged.status_code == 403
        # The link is still good for its owner.
        page = await client.get(link)
        assert (await client.post(link, data={"csrf": csrf_of(page)})).status_code == 303


async def test_people_without_a_desk_role_get_no_link(app: App) -> None:
    citizen = Person(app, "3001")
    await citizen.say("/web")
    assert "/signin/" not in citizen.text
    assert citizen.text.strip()
    rep = await registered(app, "3002", Grant(role=Role.UNIT_REP, unit_code="H-THAPMUOI"))
    await rep.say("/desk")
    assert "/signin/" not in rep.text


async def test_links_are_rate_limited_per_person(app: App, clock: FixedClock) -> None:
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    other = await registered(app, "2002", Grant(role=Role.SECRETARIAT))
    for _ in range(5):
        await link_from_chat(secretary)
    await secretary.say("/web")
    assert "/signin/" not in secretary.text
    assert "5 liên kết" in secretary.text
    await link_from_chat(other)  # the limit is each person's own
    clock.advance(dt.timedelta(hours=1, seconds=1))
    await link_from_chat(secretary)


async def test_signing_out_and_idling_end_the_session(app: App, clock: FixedClock) -> None:
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    async with browser(app) as client:
        queue = await sign_in(client, await link_from_chat(secretary))
        out = await client.post("/signout", data={"csrf": csrf_of(queue)})
        assert out.status_code == 200 and "đã đăng xuất" in out.text
        assert (await client.get("/queue")).status_code == 303
    async with browser(app) as client:
        await sign_in(client, await link_from_chat(secretary))
        clock.advance(dt.timedelta(minutes=29))
        assert (await client.get("/queue")).status_code == 200  # seen: the idle time starts again
        clock.advance(dt.timedelta(minutes=29))
        assert (await client.get("/queue")).status_code == 200
        clock.advance(dt.timedelta(minutes=31))
        assert (await client.get("/queue")).headers["location"] == "/signin"


async def test_signing_in_again_replaces_the_browsers_session(app: App) -> None:
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    async with browser(app) as client:
        await sign_in(client, await link_from_chat(secretary))
        first = client.cookies.get("desk_session")
        await sign_in(client, await link_from_chat(secretary))
        second = client.cookies.get("desk_session")
        assert first and second and first != second
        client.cookies.set("desk_session", first)
        assert (await client.get("/queue")).status_code == 303  # the old one was ended
