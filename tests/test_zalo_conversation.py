"""A whole nomination on Zalo, by long polling and by webhook: numbered choices typed as numbers or as
labels, a photo as evidence downloaded and kept by its checksum, the reference at the end."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from bot.clock import FixedClock
from tests.support.db import rows
from tests.support.zalo_fake import SECRET, FakeZalo, ZaloChat, ZaloPerson, running_zalo

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
DEED = "Ông đã vận động bà con góp tiền làm lại cây cầu khỉ cho học sinh đi học an toàn."
WEBHOOK: dict[str, Any] = {
    "zalo_webhook_url": "https://bot.example.org/zalo/hook",
    "zalo_webhook_secret": SECRET,
    "zalo_webhook_listen": "127.0.0.1",
    "zalo_webhook_port": 0,
}


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_whole_nomination_by_numbers_and_labels_with_a_photo(
    tmp_path: Path, clock: FixedClock, fake_zalo: FakeZalo, mode: str
) -> None:
    fake_zalo.files["giay-khen.png"] = PNG
    async with running_zalo(tmp_path, clock, fake_zalo, **(WEBHOOK if mode == "webhook" else {})) as (app, channel):
        if mode == "webhook":
            assert fake_zalo.webhook == {"url": WEBHOOK["zalo_webhook_url"], "secret_token": SECRET}
        else:
            assert fake_zalo.attempts("deleteWebhook"), "polling starts by removing any webhook left behind"
        chat = ZaloChat(fake_zalo, channel, ZaloPerson(user_id="a1b2c3", name="Lan"))
        await chat.say("/start")
        assert "Xin chào Lan!" in chat.text
        assert any("Đề cử" in label for label in chat.choices)

        await chat.say("/decu")
        assert "Bước 1/9" in chat.text and chat.choices == ["👤 Cá nhân", "👥 Tập thể"]
        assert "trả lời bằng số thứ tự" in chat.text
        await chat.say("1")
        assert "Bước 2/9" in chat.text
        await chat.say("Nguyễn Văn An")
        await chat.say("thap muoi")
        assert "Bước 4/9" in chat.text and "Cả nước chung sức xây dựng nông thôn mới" in chat.choices
        # A choice typed out, as people do on a phone: no diacritics, any case.
        await chat.say("ca nuoc chung suc xay dung nong thon moi")
        assert "Bước 5/9" in chat.text
        await chat.say(DEED)
        assert "Bước 6/9" in chat.text and "chụp ảnh từng trang" in chat.text

        await chat.send(chat.person.image(fake_zalo.file_url("giay-khen.png"), caption="Giấy khen"))
        assert "Đã nhận 1/5 tệp" in chat.text and chat.choices == ["✅ Xong"]
        await chat.say("1.")
        assert "Bước 7/9" in chat.text
        await chat.say("Trần Thị Bình")
        assert "Bước 8/9" in chat.text and "gõ số của mình" in chat.text
        await chat.say("0912 345 678")
        assert "+84912345678" in chat.text
        await chat.say("Tôi xác nhận")
        assert "Xem lại trước khi gửi" in chat.text and "1 tệp" in chat.text
        assert chat.choices[0] == "✅ Gửi" and chat.choices[-1] == "❌ Hủy"
        await chat.say("1")
        assert "NTVT-2026-000001" in chat.text

    digest = hashlib.sha256(PNG).hexdigest()
    assert rows(
        app, "SELECT reference, nominee_name, unit_code, category_code, nominator_phone, channel FROM nominations"
    ) == [("NTVT-2026-000001", "Nguyễn Văn An", "H-THAPMUOI", "PT01", "+84912345678", "zalo")]
    assert rows(app, "SELECT sha256 FROM nomination_files") == [(digest,)]
    [(path, size, mime)] = rows(app, "SELECT path, size, mime FROM files")
    assert (size, mime) == (len(PNG), "image/png")
    assert Path(str(path)).read_bytes() == PNG
    assert rows(app, "SELECT channel, external_id, display_name FROM users") == [("zalo", "a1b2c3", "Lan")]
    # Every message Zalo was asked to carry fits its 2,000 characters.
    assert all(len(text) <= 2000 for text in fake_zalo.texts())
