"""`reminders run` sends through senders built as the running bot builds them: on Zalo with a webhook, an
image goes as a photo that the running bot's webhook serves, although another sender published it."""

from __future__ import annotations

from pathlib import Path

from bot.cli.reminders import standalone_senders
from bot.clock import FixedClock
from bot.conversation.messages import OutgoingFile, Reply
from tests.support.zalo_fake import PUBLIC, WEBHOOK, FakeZalo, running_zalo

PNG = b"\x89PNG\r\n\x1a\n" + b"\x02" * 200


async def test_a_photo_sent_on_its_own_is_served_by_the_running_bots_webhook(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    chart = tmp_path / "tuan.png"
    chart.write_bytes(PNG)
    async with running_zalo(tmp_path, clock, fake_zalo, **WEBHOOK) as (app, channel):
        assert channel.webhook is not None
        fake_zalo.proxy = (f"{PUBLIC}/zalo/hook", f"http://127.0.0.1:{channel.webhook.port}/zalo/hook")
        senders, closers = await standalone_senders(app)
        try:
            assert sorted(senders) == ["console", "zalo"] and senders["zalo"] is not app.senders["zalo"]
            file = OutgoingFile(path=chart, filename="tuan.png", mime="image/png", as_photo=True)
            await senders["zalo"].send("u-9", Reply(text="Biểu đồ tuần", file=file))
        finally:
            for close in closers:
                await close()
    [photo] = fake_zalo.sent("u-9")
    assert photo.method == "sendPhoto" and photo.params["caption"] == "Biểu đồ tuần"
    assert str(photo.params["photo"]).startswith(f"{PUBLIC}/zalo/hook/files/")
    assert fake_zalo.fetched_photos == [PNG]


async def test_without_a_webhook_the_picture_is_described_in_words(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo
) -> None:
    chart = tmp_path / "tuan.png"
    chart.write_bytes(PNG)
    async with running_zalo(tmp_path, clock, fake_zalo) as (app, _):
        senders, closers = await standalone_senders(app)
        try:
            file = OutgoingFile(path=chart, filename="tuan.png", mime="image/png", as_photo=True)
            await senders["zalo"].send("u-9", Reply(text="Biểu đồ tuần", file=file))
        finally:
            for close in closers:
                await close()
    [message] = fake_zalo.sent("u-9")
    assert message.method == "sendMessage" and "tuan.png" in message.params["text"]
