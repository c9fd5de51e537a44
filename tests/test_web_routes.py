"""Every route of the desk for every kind of visitor: signed out, each role that may sign in, and someone
who signed in and then lost the role. Pages answer 200, refusals 403, and signed-out visitors are sent to
the sign-in page (a read) or told 401 (anything else); nothing is done for a refused or signed-out request."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from bot.app import App
from bot.domain.policy import Grant, Role
from tests.support.conversations import Member, nominate
from tests.support.db import rows
from tests.support.desk import browser, png, signed_in
from tests.support.roles import registered, revoke

GETS = (
    "/queue",
    "/n/{ref}",
    "/n/{ref}/file/1",
    "/grid",
    "/grid/CN/H-THAPMUOI",
    "/digest",
    "/files",
    "/announce",
    "/audit",
)
POSTS = {
    "/n/{ref}/approve": {"stage": "open"},
    "/n/{ref}/reject": {"stage": "open", "words": "Không đủ căn cứ"},
    "/files/make": {"scope": "days:7", "kind": "xlsx"},
    "/announce": {"text": "Một thông báo đủ dài để gửi đi.", "audience": "all"},
}


async def visits(client: httpx.AsyncClient, ref: str, csrf: str) -> dict[str, int]:
    seen = {}
    for path in GETS:
        seen[path] = (await client.get(path.format(ref=ref))).status_code
    for path, data in POSTS.items():
        seen["POST " + path] = (await client.post(path.format(ref=ref), data={**data, "csrf": csrf})).status_code
    return seen


@pytest.mark.parametrize("who", ["signed out", "secretariat", "admin", "lost the role"])
async def test_every_route_for_every_visitor(app: App, tmp_path: Path, who: str) -> None:
    photo = tmp_path / "a.png"
    photo.write_bytes(png())
    ref = await nominate(Member(app, "1001"), evidence=photo)
    grant = Grant(role=Role.ADMIN if who == "admin" else Role.SECRETARIAT)
    async with browser(app) as client:
        csrf = ""
        if who != "signed out":
            person = await registered(app, "2001", grant)
            csrf = await signed_in(app, person, client)
        if who == "lost the role":
            await revoke(app, "2001", grant)
        seen = await visits(client, ref, csrf)
    if who == "signed out":
        expected = {**dict.fromkeys(GETS, 303), **{"POST " + p: 401 for p in POSTS}}
    elif who == "lost the role":
        expected = {**dict.fromkeys(GETS, 403), **{"POST " + p: 403 for p in POSTS}}
    else:
        # The approve went through first, so the reject after it lost (and says so): a redirect either way.
        expected = {**dict.fromkeys(GETS, 200), **{"POST " + p: (303 if "/n/" in p else 200) for p in POSTS}}
    assert seen == expected
    decided = rows(app, "SELECT status FROM nominations WHERE reference = ?", (ref,))
    assert decided == [("approved",)] if who in ("secretariat", "admin") else [("submitted",)]
    sent = rows(app, "SELECT COUNT(*) FROM announcements")
    assert sent == [(0,)]  # the form without "send" only previews


async def test_a_form_from_another_session_is_refused(app: App) -> None:
    ref = await nominate(Member(app, "1001"))
    one = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    two = await registered(app, "2002", Grant(role=Role.SECRETARIAT))
    async with browser(app) as first, browser(app) as second:
        first_csrf = await signed_in(app, one, first)
        await signed_in(app, two, second)
        refused = await second.post(f"/n/{ref}/approve", data={"stage": "open", "csrf": first_csrf})
        assert refused.status_code == 403
        assert re.search("tải lại trang", refused.text)
    assert rows(app, "SELECT status FROM nominations") == [("submitted",)]
