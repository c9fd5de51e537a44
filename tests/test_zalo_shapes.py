"""Zalo's update shapes as public sources describe them, replies rendered for a messenger without buttons,
and the client's errors as the outbox needs them."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.channels.zalo.client import ZaloApiError, ZaloClient, ZaloTransportError, method_url_prefix
from bot.channels.zalo.mapping import to_incoming, unwrap
from bot.channels.zalo.render import PhotoMessage, TextMessage, render
from bot.channels.zalo.sender import delivery_error
from bot.channels.zalo.sizes import MESSAGE
from bot.conversation import delivery
from bot.conversation.messages import Choice, Kind, OutgoingFile, Reply
from bot.i18n import default_catalog
from tests.support.zalo_fake import TOKEN, FakeZalo, Trouble, ZaloPerson, api_error, numbered

PERSON = ZaloPerson(user_id="u-42", name="Trần Văn Ba")


@pytest.fixture
async def client(fake_zalo: FakeZalo) -> AsyncIterator[ZaloClient]:
    zalo = ZaloClient(TOKEN, fake_zalo.base_url, timeout=0.5, poll_timeout=1)
    try:
        yield zalo
    finally:
        await zalo.aclose()


# -- updates -------------------------------------------------------------------------------------------------
def test_a_text_is_text_and_a_slash_is_a_command() -> None:
    text = to_incoming(PERSON.text("Nguyễn Văn An"))
    assert text is not None and text.kind is Kind.TEXT and text.text == "Nguyễn Văn An"
    assert (text.channel, text.user_id, text.chat_id, text.display_name) == ("zalo", "u-42", "u-42", "Trần Văn Ba")
    command = to_incoming(PERSON.text("/dangky ABC-123"))
    assert command is not None and command.kind is Kind.COMMAND
    assert (command.command, command.args) == ("dangky", "ABC-123")
    assert to_incoming(PERSON.text("/ không phải lệnh")).kind is Kind.TEXT  # type: ignore[union-attr]


def test_the_update_key_is_the_event_and_the_message_id() -> None:
    update = PERSON.text("xin chào")
    incoming = to_incoming(update)
    assert incoming is not None
    assert incoming.update_key == f"message.text.received:{update['message']['message_id']}"


@pytest.mark.parametrize(
    "photo",
    [
        {"photo_url": "https://f.zdn.vn/a.jpg"},
        {"photo": "https://f.zdn.vn/a.jpg"},
        {"photo": {"url": "https://f.zdn.vn/a.jpg"}},
        {"photo": [{"url": "https://f.zdn.vn/small.jpg"}, {"url": "https://f.zdn.vn/a.jpg"}]},
    ],
)
def test_an_image_is_a_file_whatever_form_its_url_takes(photo: dict[str, object]) -> None:
    update = PERSON._update("message.image.received", caption="Giấy khen", **photo)
    incoming = to_incoming(update)
    assert incoming is not None and incoming.kind is Kind.FILE and incoming.text == "Giấy khen"
    assert [a.ref for a in incoming.attachments] == ["https://f.zdn.vn/a.jpg"]


def test_stickers_voice_and_the_rest_get_their_kinds() -> None:
    assert to_incoming(PERSON.sticker()).kind is Kind.STICKER  # type: ignore[union-attr]
    assert to_incoming(PERSON.unsupported()).kind is Kind.UNSUPPORTED  # type: ignore[union-attr]
    assert to_incoming(PERSON._update("message.voice.received", voice_url="https://x/a.aac")).kind is Kind.VOICE  # type: ignore[union-attr]
    # An image event without any address cannot be downloaded: said to be unsupported, not silently lost.
    assert to_incoming(PERSON._update("message.image.received")).kind is Kind.UNSUPPORTED  # type: ignore[union-attr]


def test_other_forms_public_sources_show() -> None:
    # No event_name (one getUpdates sample), the name as first_name, a group chat.
    update = {
        "message": {
            "chat": {"id": "g-1", "chat_type": "GROUP"},
            "text": "Xin chào",
            "message_id": "16f6366b3f02645a3d15",
            "date": 1766619597466,
            "from": {"id": "u-1", "first_name": "Nguyen Van A"},
        }
    }
    incoming = to_incoming(update)
    assert incoming is not None and incoming.kind is Kind.TEXT
    assert (incoming.user_id, incoming.chat_id, incoming.display_name) == ("u-1", "g-1", "Nguyen Van A")
    assert unwrap({"ok": True, "result": update}) == update
    assert unwrap(update) == update
    bot = {"event_name": "message.text.received", "message": {"from": {"id": "b", "is_bot": True}, "text": "x"}}
    assert to_incoming(bot) is None
    assert to_incoming({"event_name": "user.follow"}) is None


# -- replies -------------------------------------------------------------------------------------------------
def test_choices_become_a_numbered_list_with_a_word_on_how_to_answer() -> None:
    reply = Reply(
        text="Bạn đề cử ai?", choices=(Choice(label="👤 Cá nhân", value="a"), Choice(label="👥 Tập thể", value="b"))
    )
    [message] = render(reply, default_catalog(), "vi")
    assert isinstance(message, TextMessage)
    assert numbered(message.text) == ["👤 Cá nhân", "👥 Tập thể"]
    assert "trả lời bằng số thứ tự" in message.text
    [english] = render(reply, default_catalog(), "en")
    assert "Reply with the number" in english.text  # type: ignore[union-attr]


def test_what_zalo_cannot_carry_is_said_in_words() -> None:
    catalog = default_catalog()
    contact = render(Reply(text="Số điện thoại?", request_contact=True, request_contact_label="📱"), catalog, "vi")
    assert "gõ số của mình" in contact[0].text  # type: ignore[union-attr]
    files = render(Reply(text="Minh chứng?", accepts_files=True), catalog, "vi")
    assert "chụp ảnh từng trang" in files[0].text  # type: ignore[union-attr]
    pdf = OutgoingFile(path=Path("/tmp/x.pdf"), filename="bao-cao.pdf", mime="application/pdf")
    [said] = render(Reply(text="Báo cáo của đơn vị", file=pdf), catalog, "vi", photo_url="https://x/y")
    assert isinstance(said, TextMessage) and "bao-cao.pdf" in said.text and "không gửi được qua Zalo" in said.text
    image = OutgoingFile(path=Path("/tmp/x.png"), filename="x.png", mime="image/png")
    assert render(Reply(text="Ảnh", file=image), catalog, "vi", photo_url="https://x/y") == [
        PhotoMessage("https://x/y", "Ảnh")
    ]
    # Without an address Zalo could fetch it from, an image is described, not dropped.
    [described] = render(Reply(text="Ảnh", file=image), catalog, "vi")
    assert isinstance(described, TextMessage) and "x.png" in described.text


def test_a_long_text_is_split_at_line_boundaries() -> None:
    lines = [f"Dòng {n:03d}: " + "chữ " * 20 for n in range(60)]
    text = "\n".join(line.rstrip() for line in lines)
    assert len(text) > 5000
    pieces = render(Reply(text=text), default_catalog(), "vi")
    assert len(pieces) >= 3
    assert all(isinstance(p, TextMessage) and len(p.text) <= MESSAGE.limit for p in pieces)
    assert "\n".join(p.text for p in pieces if isinstance(p, TextMessage)) == text


# -- the client ----------------------------------------------------------------------------------------------
def test_the_base_url_may_or_may_not_end_in_bot() -> None:
    assert method_url_prefix("https://bot-api.zaloplatforms.com", "T") == "https://bot-api.zaloplatforms.com/botT/"
    assert method_url_prefix("http://proxy:8080/bot/", "T") == "http://proxy:8080/botT/"


async def test_idle_polls_in_both_forms_mean_nothing_new(fake_zalo: FakeZalo, client: ZaloClient) -> None:
    fake_zalo.hold = 0.05  # idle answers without waiting out the client's timeout
    assert await client.get_updates() == []
    assert await client.get_updates() == []
    assert [c.status for c in fake_zalo.attempts("getUpdates")] == [200, 408]
    fake_zalo.push(PERSON.text("một"))
    [update] = await client.get_updates()
    assert update["message"]["text"] == "một"
    fake_zalo.results_as_list = True
    fake_zalo.push(PERSON.text("hai"))
    [listed] = await client.get_updates()
    assert listed["message"]["text"] == "hai"


async def test_errors_are_typed_and_never_carry_the_token(
    fake_zalo: FakeZalo, client: ZaloClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Start-up quietens httpx for the running bot; here its lines (the transport's) must be seen to be checked.
    caplog.set_level(logging.DEBUG, logger="httpx")
    fake_zalo.fail(
        "sendMessage",
        Trouble(200, api_error(429, "Quota exceeded")),
        Trouble(502, "<html>Bad Gateway</html>"),
        Trouble(200, api_error(400, "User not found")),
        Trouble(delay=1.0),
    )
    with pytest.raises(ZaloApiError) as limited:
        await client.send_message("u-1", "x")
    assert isinstance(delivery_error(limited.value), delivery.RetryAfter)
    with pytest.raises(ZaloApiError) as gateway:
        await client.send_message("u-1", "x")
    assert gateway.value.http_status == 502 and isinstance(delivery_error(gateway.value), delivery.TransientFailure)
    with pytest.raises(ZaloApiError) as unknown:
        await client.send_message("u-1", "x")
    assert isinstance(delivery_error(unknown.value), delivery.PermanentFailure)
    with pytest.raises(ZaloTransportError) as slow:
        await client.send_message("u-1", "x")
    # No answer in time: the message may be on the person's screen, so it is not sent again blindly.
    assert isinstance(delivery_error(slow.value), delivery.Uncertain)
    await client.send_message("u-1", "đến nơi")
    assert fake_zalo.texts("u-1") == ["đến nơi"]
    logged = caplog.text + "".join(str(e) for e in (limited.value, gateway.value, unknown.value, slow.value))
    assert "zalo: sendMessage answered 502" in caplog.text  # every call was logged ...
    assert TOKEN not in logged and TOKEN.split(":")[1] not in logged  # ... without the token


async def test_a_refused_token_is_unauthorized(fake_zalo: FakeZalo) -> None:
    wrong = ZaloClient("1:wrong", fake_zalo.base_url, timeout=0.5)
    try:
        with pytest.raises(ZaloApiError) as refused:
            await wrong.get_me()
    finally:
        await wrong.aclose()
    assert refused.value.error_code == 401
    # The outbox keeps the message: the token is the operator's to fix, not the message's fault.
    assert isinstance(delivery_error(refused.value), delivery.TransientFailure)


async def test_the_client_is_shared_and_closed_only_by_its_owner(fake_zalo: FakeZalo) -> None:
    async with httpx.AsyncClient() as shared:
        zalo = ZaloClient(TOKEN, fake_zalo.base_url, http=shared)
        assert (await zalo.get_me())["account_name"] == "bot.ThiDua"
        await zalo.aclose()
        assert not shared.is_closed
