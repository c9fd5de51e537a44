"""The review queue and a nomination on the desk, through HTTP: filters, evidence, and decisions that are
the chat's own (the same rows, the same audit lines, the nominator told through the outbox)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest

from bot.app import App
from bot.domain.policy import Grant, Role
from bot.web import audit
from bot.web.app import build_web
from tests.support.chat import Person
from tests.support.conversations import Member, nominate, status_of
from tests.support.db import rows
from tests.support.desk import BASE, browser, png, signed_in
from tests.support.roles import registered


async def desk_and_nominator(app: App) -> tuple[Person, Member]:
    secretary = await registered(app, "2001", Grant(role=Role.SECRETARIAT))
    nominator = Member(app, "1001")
    return secretary, nominator


def photo(tmp_path: Path) -> Path:
    path = tmp_path / "anh.png"
    path.write_bytes(png())
    return path


async def test_approving_on_the_desk_is_the_chats_decision_and_the_nominator_is_told(app: App, tmp_path: Path) -> None:
    secretary, nominator = await desk_and_nominator(app)
    reference = await nominate(nominator, evidence=photo(tmp_path))
    nominator.inbox()
    async with browser(app) as client:
        csrf = await signed_in(app, secretary, client)
        page = await client.get(f"/n/{reference}")
        assert page.status_code == 200
        assert "Nguyễn Văn An" in page.text and "cây cầu khỉ" in page.text
        assert f'src="/n/{reference}/file/1"' in page.text
        image = await client.get(f"/n/{reference}/file/1")
        assert image.status_code == 200 and image.headers["content-type"] == "image/png"
        assert image.content == png()
        done = await client.post(f"/n/{reference}/approve", data={"csrf": csrf, "stage": "open", "publication": "1"})
        assert done.status_code == 303
        after = await client.get(done.headers["location"])
        assert "Đã duyệt" in after.text
    assert status_of(app, reference) == "approved"
    assert rows(app, "SELECT for_publication FROM nomination_reviews") == [(1,)]
    audit = rows(
        app,
        "SELECT action, channel FROM audit_log WHERE subject = ? AND action != 'nomination.submitted'",
        (reference,),
    )
    assert audit == [
        ("nomination.review_started", "web"),
        ("nomination.approved", "web"),
        ("nomination.marked_for_publication", "web"),
    ]
    told = nominator.inbox_text
    assert reference in told and "duyệt" in told


async def test_two_reviewers_at_once_one_decision_and_the_other_is_told(app: App) -> None:
    secretary, nominator = await desk_and_nominator(app)
    other = await registered(app, "2002", Grant(role=Role.SECRETARIAT))
    reference = await nominate(nominator)
    nominator.inbox()
    async with browser(app) as first, browser(app) as second:
        first_csrf = await signed_in(app, secretary, first)
        second_csrf = await signed_in(app, other, second)
        # Both have the page open at the same stage; the first to press wins.
        assert (await first.get(f"/n/{reference}")).status_code == 200
        assert (await second.get(f"/n/{reference}")).status_code == 200
        won = await first.post(f"/n/{reference}/approve", data={"csrf": first_csrf, "stage": "open"})
        lost = await second.post(
            f"/n/{reference}/reject", data={"csrf": second_csrf, "stage": "open", "words": "Không đủ minh chứng"}
        )
        assert won.headers["location"].endswith("done=approve")
        assert lost.headers["location"].endswith("lost=1")
        told = await second.get(lost.headers["location"])
        assert "đã được" in told.text and "xử lý trước" in told.text and "Đã duyệt" not in told.text
    assert status_of(app, reference) == "approved"
    assert len(nominator.inbox()) == 1


async def test_rejecting_needs_a_reason_and_the_nominator_reads_it(app: App) -> None:
    secretary, nominator = await desk_and_nominator(app)
    reference = await nominate(nominator)
    nominator.inbox()
    async with browser(app) as client:
        csrf = await signed_in(app, secretary, client)
        short = await client.post(f"/n/{reference}/reject", data={"csrf": csrf, "stage": "open", "words": " a "})
        assert short.status_code == 400 and "ít nhất 3 ký tự" in short.text
        assert status_of(app, reference) == "submitted"
        done = await client.post(
            f"/n/{reference}/reject", data={"csrf": csrf, "stage": "open", "words": "Trùng với đề cử năm trước"}
        )
        assert done.status_code == 303
    assert status_of(app, reference) == "rejected"
    assert "Trùng với đề cử năm trước" in nominator.inbox_text


async def test_asking_for_more_reaches_the_nominator_with_the_answer_button(app: App) -> None:
    secretary, nominator = await desk_and_nominator(app)
    reference = await nominate(nominator)
    nominator.inbox()
    async with browser(app) as client:
        csrf = await signed_in(app, secretary, client)
        await client.post(f"/n/{reference}/ask", data={"csrf": csrf, "stage": "open", "words": "Xin thêm ảnh cây cầu"})
        page = await client.get(f"/n/{reference}")
        assert "Xin thêm ảnh cây cầu" in page.text
    assert status_of(app, reference) == "needs_info"
    replies = nominator.inbox()
    assert "Xin thêm ảnh cây cầu" in replies[0].text and replies[0].choices


async def test_merging_consent_and_publishing(app: App) -> None:
    secretary, nominator = await desk_and_nominator(app)
    first = await nominate(nominator)
    second = await nominate(nominator, "nguyen van an")
    async with browser(app) as client:
        csrf = await signed_in(app, secretary, client)
        page = await client.get(f"/n/{second}")
        assert "Có thể trùng với" in page.text and f'href="/n/{first}"' in page.text
        merged = await client.post(f"/n/{second}/merge", data={"csrf": csrf, "stage": "open"})
        assert merged.headers["location"].endswith("done=merge")
        await client.post(f"/n/{first}/approve", data={"csrf": csrf, "stage": "open"})
        await client.post(f"/n/{first}/mark", data={"csrf": csrf, "stage": "approved"})
        page = await client.get(f"/n/{first}")
        assert 'id="consent"' in page.text and 'id="publish"' not in page.text
        await client.post(f"/n/{first}/consent", data={"csrf": csrf, "stage": "approved"})
        published = await client.post(f"/n/{first}/publish", data={"csrf": csrf, "stage": "approved"})
        assert published.headers["location"].endswith("done=publish")
    assert status_of(app, first) == "published"
    assert status_of(app, second) == "published"


async def test_forms_without_the_sessions_token_change_nothing(app: App) -> None:
    secretary, nominator = await desk_and_nominator(app)
    reference = await nominate(nominator)
    async with browser(app) as client:
        await signed_in(app, secretary, client)
        for data in ({"stage": "open"}, {"stage": "open", "csrf": "forged"}):
            refused = await client.post(f"/n/{reference}/approve", data=data)
            assert refused.status_code == 403
        headers = {"X-CSRF-Token": "forged", "HX-Request": "true"}
        assert (
            await client.post(f"/n/{reference}/approve", data={"stage": "open"}, headers=headers)
        ).status_code == 403
    assert status_of(app, reference) == "submitted"


async def test_the_queue_filters_and_finds_names_without_diacritics(app: App, tmp_path: Path) -> None:
    secretary, nominator = await desk_and_nominator(app)
    with_photo = await nominate(nominator, "Lê Thị Đào", evidence=photo(tmp_path))
    plain = await nominate(nominator, "Nguyễn Văn An", unit="lap vo")
    twice = await nominate(nominator, "nguyen van an", unit="lap vo")
    async with browser(app) as client:
        await signed_in(app, secretary, client)

        async def shown(**params: str) -> set[str]:
            page = await client.get("/queue", params=params)
            assert page.status_code == 200
            return {ref for ref in (with_photo, plain, twice) if f"/n/{ref}" in page.text}

        assert await shown() == {with_photo, plain, twice}
        assert await shown(q="le thi dao") == {with_photo}
        assert await shown(q="ĐÀO") == {with_photo}
        assert await shown(q=twice) == {twice}
        assert await shown(evidence="1") == {with_photo}
        assert await shown(duplicate="1") == {twice}
        assert await shown(unit="H-LAPVO") == {plain, twice}
        assert await shown(status="approved") == set()
        assert await shown(category="PT01") == {with_photo, plain, twice}
        assert await shown(category="PT02") == set()
        assert await shown(since="2030-01-01") == set()
        assert await shown(since="nonsense", page="x", status="<b>") == {with_photo, plain, twice}
        partial = await client.get(
            "/queue", params={"q": "dao"}, headers={"HX-Request": "true", "HX-Target": "results"}
        )
        assert "<html" not in partial.text and with_photo in partial.text


async def test_public_text_is_shown_as_text_never_run(app: App) -> None:
    secretary, nominator = await desk_and_nominator(app)
    base = await nominate(nominator)
    # What the chat lets through is checked at its door; the desk must hold whatever is stored all the same.
    hostile = "<script>alert(1)</script>\u202eAn" + "Nguyễn" * 60
    reference = "NTVT-2026-900001"
    with sqlite3.connect(app.db.path) as conn:
        conn.execute(
            "INSERT INTO nominations (reference, campaign_code, status, submitted_by, channel, nominee_kind,"
            " nominee_name, unit_code, category_code, deed, anonymous, nominator_name, nominator_phone, consent_at,"
            " created_at) SELECT ?, campaign_code, status, submitted_by, channel, nominee_kind, ?, unit_code,"
            " category_code, ?, anonymous, ?, nominator_phone, consent_at, created_at FROM nominations"
            " WHERE reference = ?",
            (reference, hostile, hostile + " <img src=x onerror=alert(2)>", "<b>bold</b>", base),
        )
    async with browser(app) as client:
        await signed_in(app, secretary, client)
        for path in ("/queue", f"/n/{reference}"):
            page = await client.get(path)
            assert "<script>alert" not in page.text
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
            assert "<img src=x" not in page.text and "<b>bold" not in page.text
            csp = page.headers["content-security-policy"]
            assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
            assert page.headers["x-content-type-options"] == "nosniff"


async def test_signed_out_and_refused_people_see_no_nomination_nor_file(app: App, tmp_path: Path) -> None:
    secretary, nominator = await desk_and_nominator(app)
    reference = await nominate(nominator, evidence=photo(tmp_path))
    async with browser(app) as client:
        for path in ("/queue", f"/n/{reference}", f"/n/{reference}/file/1"):
            answer = await client.get(path)
            assert answer.status_code == 303 and answer.headers["location"] == "/signin"
        assert (await client.post(f"/n/{reference}/approve", data={"stage": "open"})).status_code == 401
        missing = await client.get("/nothing-here")
        assert missing.status_code == 404
    async with browser(app) as client:
        await signed_in(app, secretary, client)
        assert (await client.get(f"/n/{reference}/file/9")).status_code == 404
        assert (await client.get("/n/NTVT-2026-999999")).status_code == 404


async def test_http_client_sees_security_headers_on_files(app: App, tmp_path: Path) -> None:
    secretary, nominator = await desk_and_nominator(app)
    reference = await nominate(nominator, evidence=photo(tmp_path))
    async with browser(app) as client:
        await signed_in(app, secretary, client)
        image: httpx.Response = await client.get(f"/n/{reference}/file/1")
        assert "sandbox" in image.headers["content-security-policy"]
        assert image.headers["content-disposition"].startswith("inline")


async def test_an_error_on_our_side_gets_a_kind_page_with_the_security_headers(
    app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(request: object) -> None:
        raise RuntimeError("the audit log could not be read")

    monkeypatch.setattr(audit, "audit_page", broken)
    secretary, _ = await desk_and_nominator(app)
    transport = httpx.ASGITransport(app=build_web(app), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        await signed_in(app, secretary, client)
        page = await client.get("/audit")
    assert page.status_code == 500
    assert "Bàn làm việc gặp lỗi khi mở trang này" in page.text and "RuntimeError" not in page.text
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["cache-control"] == "no-store"
    assert "the audit log could not be read" in caplog.text  # logged for the operator, not shown
