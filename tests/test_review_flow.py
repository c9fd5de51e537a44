"""Review of nominations as the people at both ends live it: the card the secretariat gets, its buttons, the
reviewer's words, the nominator's answer and every outcome told through the outbox, on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

from bot.app import App, build_app
from bot.clock import FixedClock
from bot.conversation.messages import Kind, Reply
from bot.domain.policy import Grant, Role
from bot.settings import Settings
from tests.support.config import make_settings
from tests.support.conversations import DEED, PNG, Member, nominate, secretariat, status_of
from tests.support.db import rows
from tests.support.roles import registered


def nomination_id(app: App, reference: str) -> int:
    ((found,),) = rows(app, "SELECT id FROM nominations WHERE reference = ?", (reference,))
    return int(str(found))


def review_audit(app: App) -> list[tuple[object, ...]]:
    return rows(
        app,
        "SELECT action, subject, json_extract(detail, '$.to') FROM audit_log"
        " WHERE action LIKE 'nomination.%' AND action != 'nomination.submitted' ORDER BY id",
    )


# -- the card --------------------------------------------------------------------------------------------
async def test_a_new_nomination_is_put_before_the_desk_with_the_phone_only_there(
    tmp_path: Path, clock: FixedClock
) -> None:
    settings = make_settings(tmp_path, secretariat_chats="telegram:-100777")
    app = await build_app(settings, clock)
    try:
        lan = await secretariat(app, "3001")
        rep = Member(app, "3002")
        await registered(app, "3002", Grant(role=Role.UNIT_REP, unit_code="H-LAPVO"))
        rep.inbox()
        binh = Member(app, "1001")
        reference = await nominate(binh, evidence=_png(tmp_path))
        assert reference == "NTVT-2026-000001"

        (card,) = lan.inbox()
        assert card.text.splitlines() == [
            "🆕 Đề cử mới cần xét: NTVT-2026-000001",
            "Người được đề cử: Nguyễn Văn An",
            "Đơn vị: Huyện Tháp Mười",
            "Phong trào / lĩnh vực: Cả nước chung sức xây dựng nông thôn mới",
            f"Việc làm: {DEED}",
            "Minh chứng: 1 tệp",
            "Người đề cử: Trần Thị Bình — +84912345678",
            "🔒 Cần ghi nhận người được đề cử đồng ý trước khi đăng lên chuyên mục.",
        ]
        n = nomination_id(app, reference)
        assert [(c.label, c.value) for c in card.choices] == [
            ("✅ Duyệt", f"rv:approve:{n}:open"),
            ("❓ Hỏi thêm", f"rv:ask:{n}:open"),
            ("❌ Từ chối", f"rv:reject:{n}:open"),
            ("📎 Xem minh chứng (1)", f"rv:evidence:{n}"),
        ]
        assert all(len(c.value.encode()) <= 64 for c in card.choices)
        # The shared group gets it to read, with no buttons nobody there could press.
        ((payload,),) = rows(app, "SELECT payload FROM outbox WHERE chat_id = '-100777'")
        shared = Reply.model_validate_json(str(payload))
        # Nor any phone number: who reads a group is not known to hold a role that may see one.
        assert "Người đề cử: Trần Thị Bình" in shared.text and "912" not in shared.text and shared.choices == ()
        assert "tin nhắn riêng" in shared.text
        # Nobody else hears of it: not the representative of another unit, not the nominator.
        assert rep.inbox() == [] and binh.inbox() == []
        assert rows(app, "SELECT COUNT(*) FROM outbox") == [(2,)]
        assert rows(app, "SELECT posted_at IS NOT NULL, duplicate_of FROM nomination_reviews") == [(1, None)]
    finally:
        await app.close()


def _png(folder: Path) -> Path:
    path = folder / "anh.png"
    path.write_bytes(PNG)
    return path


async def test_a_unit_nomination_and_an_anonymous_one_need_no_consent_and_show_no_phone(app: App) -> None:
    lan = await secretariat(app, "3001")
    await nominate(Member(app, "1001"), anonymous=True)
    (card,) = lan.inbox()
    assert "Người đề cử: ẩn danh" in card.text and "+84" not in card.text
    assert "đồng ý" in card.text  # an anonymous citizen still names a private person
    rep = await registered(app, "2001", Grant(role=Role.UNIT_REP, unit_code="H-THAPMUOI"))
    await nominate(rep, "Lê Văn Tư")
    (card,) = lan.inbox()
    assert "Đề cử của đơn vị: Huyện Tháp Mười" in card.text
    assert "đồng ý" not in card.text


# -- approving, the media column and the nominee's consent ---------------------------------------------
async def test_approve_for_the_column_and_publish_only_after_consent(app: App) -> None:
    lan = await secretariat(app, "3001")
    binh = Member(app, "1001")
    reference = await nominate(binh)
    n = nomination_id(app, reference)
    lan.inbox()
    await lan.tap("Duyệt")
    assert "Có chọn đăng trên chuyên mục “Hương Sen Đồng Tháp” không?" in lan.text
    assert "chưa được ghi nhận là đồng ý" in lan.text
    assert status_of(app, reference) == "submitted"  # nothing decided until the second press
    await lan.tap("Duyệt và đăng Hương Sen")
    assert "✅ Đã duyệt đề cử NTVT-2026-000001 và chọn đăng" in lan.text
    # Not publishable yet: the button offered is the consent, not the publication.
    assert lan.buttons == ["✍️ Ghi nhận người được đề cử đồng ý"]
    # A publication pressed anyway (an old or forged button) is refused with the reason.
    await lan.press(f"rv:publish:{n}")
    assert "chưa ghi nhận người được đề cử NTVT-2026-000001 đồng ý" in lan.text
    assert status_of(app, reference) == "approved"
    await lan.tap("Ghi nhận người được đề cử đồng ý")
    assert "Đã ghi nhận" in lan.text and lan.buttons == ["📰 Đánh dấu đã đăng"]
    await lan.tap("Đánh dấu đã đăng")
    assert "Đã đánh dấu đề cử NTVT-2026-000001 đã đăng" in lan.text
    assert status_of(app, reference) == "published"

    told = binh.inbox()
    assert [r.text.split(" ")[0] for r in told] == ["🎉", "📰"]
    assert "đã được Sở Nội vụ duyệt" in told[0].text and "đã được đăng trên chuyên mục" in told[1].text
    assert review_audit(app) == [
        ("nomination.review_started", reference, "in_review"),
        ("nomination.approved", reference, "approved"),
        ("nomination.marked_for_publication", reference, None),
        ("nomination.consent_recorded", reference, None),
        ("nomination.published", reference, "published"),
    ]


async def test_approved_without_the_column_cannot_be_published_until_chosen(app: App) -> None:
    lan = await secretariat(app, "3001")
    rep = await registered(app, "2001", Grant(role=Role.UNIT_REP, unit_code="H-THAPMUOI"))
    reference = await nominate(rep, "Lê Văn Tư")
    n = nomination_id(app, reference)
    lan.inbox()
    await lan.tap("Duyệt")
    await lan.tap("Chỉ duyệt")
    assert "✅ Đã duyệt đề cử" in lan.text and lan.buttons == ["📰 Chọn đăng Hương Sen"]
    await lan.press(f"rv:publish:{n}")
    assert "chưa được chọn đăng" in lan.text
    await lan.tap("Chọn đăng Hương Sen")
    # A unit's nomination needs no consent of its own: it can be published at once.
    assert lan.buttons == ["📰 Đánh dấu đã đăng"]
    await lan.tap("Đánh dấu đã đăng")
    assert status_of(app, reference) == "published"


# -- rejecting needs a reason ---------------------------------------------------------------------------
async def test_reject_requires_a_reason_and_can_be_cancelled(app: App) -> None:
    lan = await secretariat(app, "3001")
    binh = Member(app, "1001")
    reference = await nominate(binh)
    card = lan.inbox()
    await lan.tap("Từ chối")
    assert "Bước 1/1" in lan.text and "lý do từ chối đề cử NTVT-2026-000001" in lan.text
    await lan.say("ok")
    assert "quá ngắn" in lan.text and "Bước 1/1" in lan.text
    await lan.send_kind(Kind.STICKER)
    assert "nhãn dán" in lan.text
    await lan.say("/huy")
    await lan.tap("Có, hủy")
    assert status_of(app, reference) == "submitted" and binh.inbox() == []

    lan.last = card
    await lan.tap("Từ chối")
    await lan.say("Việc làm chưa có xác nhận của chính quyền địa phương.")
    assert "Xem lại trước khi gửi" in lan.text and "Người được đề cử: Nguyễn Văn An" in lan.text
    await lan.tap("Gửi")
    assert "❌ Đã từ chối đề cử NTVT-2026-000001" in lan.text
    (told,) = binh.inbox()
    assert "chưa được chấp nhận" in told.text
    assert "Lý do: Việc làm chưa có xác nhận của chính quyền địa phương." in told.text
    assert rows(app, "SELECT json_extract(detail, '$.reason') FROM audit_log WHERE action = 'nomination.rejected'") == [
        ("Việc làm chưa có xác nhận của chính quyền địa phương.",)
    ]


# -- asking for more, and the nominator's answer ----------------------------------------------------------
async def test_ask_for_more_and_answers_in_text_and_in_files(app: App, tmp_path: Path) -> None:
    lan = await secretariat(app, "3001")
    binh = Member(app, "1001")
    reference = await nominate(binh)
    lan.inbox()
    await lan.tap("Hỏi thêm")
    await lan.say("Anh chị có ảnh cây cầu sau khi làm xong không?")
    await lan.tap("Gửi")
    assert "Đã gửi câu hỏi về đề cử NTVT-2026-000001" in lan.text
    # While waiting, the reviewer may still decide.
    assert lan.buttons == ["✅ Duyệt", "❓ Hỏi thêm", "❌ Từ chối"]
    assert status_of(app, reference) == "needs_info"

    (question,) = binh.inbox()
    assert "«Anh chị có ảnh cây cầu sau khi làm xong không?»" in question.text
    await binh.tap("Trả lời")
    assert "Bước 1/2" in binh.text and "Anh chị có ảnh cây cầu" in binh.text
    await binh.say("Cầu làm xong tháng 8, bà con đi lại an toàn.")
    assert "Bước 2/2" in binh.text
    await binh.tap("Bỏ qua")
    assert "Xem lại trước khi gửi" in binh.text and "Về đề cử: NTVT-2026-000001" in binh.text
    await binh.tap("Gửi")
    assert "Đã gửi câu trả lời về đề cử NTVT-2026-000001" in binh.text
    assert status_of(app, reference) == "in_review"

    (notice,) = lan.inbox()
    assert "Người đề cử đã trả lời câu hỏi về đề cử NTVT-2026-000001" in notice.text
    assert "Trả lời: Cầu làm xong tháng 8, bà con đi lại an toàn." in notice.text
    assert [c.label for c in notice.choices] == ["✅ Duyệt", "❓ Hỏi thêm", "❌ Từ chối"]

    # A second question, answered with a photo only, through /traloi.
    lan.last = [notice]
    await lan.tap("Hỏi thêm")
    await lan.say("Xin gửi ảnh cây cầu.")
    await lan.tap("Gửi")
    binh.inbox()
    await binh.say("/traloi")
    assert "Xin gửi ảnh cây cầu." in binh.text
    await binh.tap("Chỉ gửi tệp")
    await binh.send_file(_png(tmp_path))
    assert "Đã nhận 1/5 tệp" in binh.text
    await binh.tap("Xong")
    await binh.tap("Gửi")
    picture, notice = lan.inbox()
    assert picture.file is not None and picture.file.path.read_bytes() == PNG
    assert "Tệp 1/1" in picture.text
    assert "(chỉ gửi tệp)" in notice.text and "Kèm 1 tệp" in notice.text
    assert rows(app, "SELECT question, answer FROM nomination_questions ORDER BY id") == [
        ("Anh chị có ảnh cây cầu sau khi làm xong không?", "Cầu làm xong tháng 8, bà con đi lại an toàn."),
        ("Xin gửi ảnh cây cầu.", None),
    ]
    assert rows(app, "SELECT COUNT(*) FROM nomination_answer_files") == [(1,)]
    assert [a for a, *_ in review_audit(app)] == [
        "nomination.review_started",
        "nomination.info_requested",
        "nomination.info_answered",
        "nomination.info_requested",
        "nomination.info_answered",
    ]


async def test_answering_with_nothing_asked_gets_a_kind_explanation(app: App) -> None:
    binh = Member(app, "1001")
    await binh.say("/traloi")
    assert "Hiện không có câu hỏi nào" in binh.text and "/cuatoi" in binh.text
    await binh.press("rv:answer:42")
    assert "đã được trả lời hoặc không còn chờ" in binh.text


async def test_an_answer_needs_words_or_a_file_and_is_given_once(app: App) -> None:
    lan = await secretariat(app, "3001")
    binh = Member(app, "1001")
    await nominate(binh)
    lan.inbox()
    await lan.tap("Hỏi thêm")
    await lan.say("Ông An bao nhiêu tuổi?")
    await lan.tap("Gửi")
    question = binh.inbox()
    await binh.tap("Trả lời")
    await binh.tap("Chỉ gửi tệp")
    await binh.tap("Bỏ qua")
    await binh.tap("Gửi")
    assert "chưa có chữ cũng chưa có tệp" in binh.text and "Bước 1/2" in binh.text
    await binh.say("Ông An năm nay 67 tuổi.")
    await binh.tap("Gửi")
    assert "Đã gửi câu trả lời" in binh.text
    binh.last = question
    await binh.tap("Trả lời")
    assert "đã được trả lời hoặc không còn chờ" in binh.text


async def test_with_two_questions_waiting_the_nominator_picks_one_and_the_draft_keeps_only_its_id(app: App) -> None:
    lan = await secretariat(app, "3001")
    binh = Member(app, "1001")
    first = await nominate(binh, "Nguyễn Văn An")
    lan.inbox()
    await lan.tap("Hỏi thêm")
    await lan.say("Ông An bao nhiêu tuổi?")
    await lan.tap("Gửi")
    second = await nominate(binh, "Lê Thị Hoa")
    lan.inbox()
    await lan.tap("Hỏi thêm")
    await lan.say("Bà Hoa ở ấp nào?")
    await lan.tap("Gửi")
    await binh.say("/traloi")
    assert "Bước 1/3" in binh.text and "Bạn có 2 câu hỏi đang chờ trả lời" in binh.text
    assert binh.buttons == [f"{first}: Ông An bao nhiêu tuổi?", f"{second}: Bà Hoa ở ấp nào?"]
    await binh.tap(second)
    assert "Bước 2/3" in binh.text and "«Bà Hoa ở ấp nào?»" in binh.text
    # What the bot keeps of the draft names the questions; their words stay in the questions' table.
    ((state,),) = rows(
        app, "SELECT state FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.external_id = '1001'"
    )
    assert "ấp nào" not in str(state) and second not in str(state)
    await binh.say("Ấp Mỹ Phú.")
    await binh.tap("Bỏ qua")
    assert f"• Câu hỏi: {second}: Bà Hoa ở ấp nào?" in binh.text
    await binh.tap("Gửi")
    assert f"Đã gửi câu trả lời về đề cử {second}" in binh.text
    assert rows(app, "SELECT answer FROM nomination_questions ORDER BY id") == [(None,), ("Ấp Mỹ Phú.",)]


# -- duplicates ------------------------------------------------------------------------------------------
async def test_a_duplicate_is_flagged_merged_and_follows_the_first(app: App) -> None:
    lan = await secretariat(app, "3001")
    binh, cuc = Member(app, "1001"), Member(app, "1002")
    first = await nominate(binh, "Nguyễn Văn An")
    other_unit = await nominate(binh, "Nguyễn Văn An", unit="lap vo")
    later = await nominate(cuc, "nguyen  van AN")
    lan.inbox()
    card = lan.last[-1]
    assert f"⚠️ Có thể trùng với đề cử {first}" in card.text
    assert [c.label for c in card.choices][-1] == f"🔗 Gộp vào {first}"
    assert all("trùng" not in r.text for r in lan.last[:-1])  # another unit is another person
    assert rows(
        app,
        "SELECT n.reference, d.reference FROM nomination_reviews r JOIN nominations n"
        " ON n.id = r.nomination_id LEFT JOIN nominations d ON d.id = r.duplicate_of ORDER BY n.id",
    ) == [
        (first, None),
        (other_unit, None),
        (later, first),
    ]
    lan.last = [card]
    await lan.tap("Gộp vào")
    # One press only asks: nothing is merged until it is confirmed.
    assert f"Gộp đề cử {later} (nguyen van AN) vào {first}?" in lan.text
    assert rows(app, "SELECT COUNT(*) FROM nomination_reviews WHERE merged_into IS NOT NULL") == [(0,)]
    await lan.tap("Quay lại")
    assert f"📄 Đề cử {later}" in lan.text
    await lan.tap("Gộp vào")
    await lan.tap("Có, gộp vào")
    assert f"Đã gộp đề cử {later} vào {first}" in lan.text
    (told,) = cuc.inbox()
    assert f"trùng với đề cử {first}" in told.text

    # The later card's buttons are stale now; the first one decides for both.
    lan.last = [card]
    await lan.tap("Duyệt")
    assert f"đã được gộp vào {first}" in lan.text
    await lan.press(f"rv:approve:{nomination_id(app, first)}:open")
    await lan.tap("Chỉ duyệt")
    assert rows(app, "SELECT reference, status FROM nominations ORDER BY id") == [
        (first, "approved"),
        (other_unit, "submitted"),
        (later, "approved"),
    ]
    (outcome,) = cuc.inbox()
    assert f"Đề cử {later}" in outcome.text and "đã được Sở Nội vụ duyệt" in outcome.text
    assert f"gộp vào đề cử {first}" in outcome.text
    assert len(binh.inbox()) == 1  # the first nominator is told once, of their own nomination
    assert ("nomination.merged", later, "in_review") in review_audit(app)
    assert ("nomination.followed_merge", later, "approved") in review_audit(app)


# -- who may press, and what they are told --------------------------------------------------------------
async def test_the_nominator_is_told_in_their_own_language(app: App) -> None:
    lan = await secretariat(app, "3001")
    john = Member(app, "1001")
    reference = await nominate(john)
    await john.say("/ngonngu en")
    john.inbox()
    lan.inbox()
    await lan.tap("Hỏi thêm")
    await lan.say("Ông An sống ở ấp nào?")
    await lan.tap("Gửi")
    (question,) = john.inbox()
    assert question.text.startswith("The Department of Home Affairs needs more information about your nomination")
    assert [c.label for c in question.choices] == ["✍️ Answer"]
    await john.tap("Answer")
    assert "Step 1/2" in john.text
    await john.say("Ấp 3, xã Mỹ An.")
    await john.tap("Skip")
    await john.tap("Send")
    notice = lan.inbox()[-1]
    assert "Người đề cử đã trả lời" in notice.text  # the reviewer reads it in Vietnamese
    lan.last = [notice]
    await lan.tap("Từ chối")
    await lan.say("Đã có danh hiệu khác trong năm.")
    await lan.tap("Gửi")
    (told,) = john.inbox()
    assert told.text.startswith(f"Your nomination {reference} (Nguyễn Văn An) was not accepted.")
    assert "Reason: Đã có danh hiệu khác trong năm." in told.text


async def test_a_citizen_pressing_a_review_button_is_refused(app: App) -> None:
    binh = Member(app, "1001")
    reference = await nominate(binh)
    n = nomination_id(app, reference)
    rep = await registered(app, "2001", Grant(role=Role.UNIT_REP, unit_code="H-THAPMUOI"))
    for person in (binh, rep):
        for value in (f"rv:approve:{n}:open", f"rv:decide:{n}:open:1", f"rv:reject:{n}:open", f"rv:view:{n}"):
            await person.send_kind(Kind.CHOICE, choice=value)
            assert "Chỉ Thường trực Hội đồng (Sở Nội vụ) và quản trị viên xét duyệt được đề cử" in person.text
            assert "+84" not in person.text
    assert status_of(app, reference) == "submitted" and review_audit(app) == []


async def test_stale_and_unknown_buttons_get_a_kind_answer(app: App) -> None:
    lan = await secretariat(app, "3001", name="Lan")
    minh = await secretariat(app, "3002", name="Minh")
    reference = await nominate(Member(app, "1001"))
    lan.inbox()
    minh.inbox()
    await lan.tap("Duyệt")
    await lan.tap("Chỉ duyệt")
    # Minh's copy of the card is old now.
    await minh.tap("Từ chối")
    assert f"Đề cử {reference} đã được Lan xử lý trước: Đã được duyệt" in minh.text
    assert minh.buttons == [f"🔎 Xem hồ sơ {reference}"]
    await minh.tap("Xem hồ sơ")
    assert f"📄 Đề cử {reference} — Đã được duyệt" in minh.text and "Người xử lý gần nhất: Lan" in minh.text
    await minh.press("rv:approve:999999:open")
    assert "không tìm thấy đề cử" in minh.text
    await minh.press("rv:frobnicate")
    assert "không tìm thấy đề cử" in minh.text


async def test_a_draft_in_progress_is_not_dropped_for_a_review(app: App) -> None:
    lan = await secretariat(app, "3001")
    await nominate(Member(app, "1001"))
    card = lan.inbox()
    await lan.say("/decu")
    await lan.tap("Cá nhân")
    lan.last = card
    await lan.tap("Từ chối")
    assert "hoàn thành hoặc gõ /huy" in lan.text and "Bước 2/9" in lan.text
    # A decision that needs no words goes ahead, and the draft is where it was.
    lan.last = card
    await lan.tap("Duyệt")
    assert "Có chọn đăng" in lan.text and "Bạn đang làm dở" in lan.text


async def test_the_detail_view_shows_the_phone_to_the_secretariat_and_admins(tmp_path: Path, clock: FixedClock) -> None:
    settings: Settings = make_settings(tmp_path)
    app = await build_app(settings, clock)
    try:
        reference = await nominate(Member(app, "1001"))
        n = nomination_id(app, reference)
        for user_id, grant in (("4001", Grant(role=Role.SECRETARIAT)), ("4002", Grant(role=Role.ADMIN))):
            person = await secretariat(app, user_id, grant)
            await person.press(f"rv:view:{n}")
            assert "Người đề cử: Trần Thị Bình — +84912345678" in person.text
    finally:
        await app.close()
