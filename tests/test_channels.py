"""What each channel says about its messenger, and the one splitter cutting text by each channel's measure."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from bot.app import App
from bot.channels.registry import CHANNELS
from bot.cli.outbox import outbox_worker
from bot.conversation.channel_names import CHANNEL_NAMES
from bot.domain.message_size import MessageSize, utf16_length
from bot.outbox.limits import ChannelLimits
from tests.support.config import make_settings


def test_every_channel_is_listed_by_its_name() -> None:
    assert sorted(CHANNELS.channels) == ["console", "telegram", "zalo"]
    # The names the settings accept are the registry's.
    assert sorted(CHANNEL_NAMES) == sorted(CHANNELS.channels)
    assert [messenger.name for messenger in CHANNELS.messengers] == ["telegram", "zalo"]


@pytest.mark.parametrize(
    ("channel", "limit", "emoji_counts"),
    [("telegram", 4096, 2), ("zalo", 2000, 2), ("console", 4096, 1)],
)
def test_each_channel_says_what_a_message_holds_and_how_it_is_counted(
    channel: str, limit: int, emoji_counts: int
) -> None:
    size = CHANNELS.size_of(channel)
    assert size.limit == limit
    assert size.measure("🎉") == emoji_counts
    # Precomposed Vietnamese letters are one unit everywhere.
    assert size.measure("Đồng Tháp") == 9
    assert size.fits("a" * limit) and not size.fits("a" * (limit + 1))


def test_each_messenger_takes_its_outbox_rate_from_its_settings(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        telegram_messages_per_second=12,
        telegram_seconds_per_chat=2,
        telegram_group_messages_per_minute=10,
        zalo_messages_per_second=3,
        zalo_seconds_per_chat=0.5,
    )
    assert CHANNELS.limits(settings) == {
        "telegram": ChannelLimits(per_second=12, per_chat_seconds=2, per_group_per_minute=10),
        "zalo": ChannelLimits(per_second=3, per_chat_seconds=0.5),
    }


def test_a_channel_no_one_has_is_counted_as_telegram_counts() -> None:
    assert CHANNELS.size_of("fax") == MessageSize(4096, utf16_length)


def test_only_telegram_has_group_chats() -> None:
    assert CHANNELS.is_group_chat("telegram", "-1001234567890")
    assert not CHANNELS.is_group_chat("telegram", "123456789")
    # On Zalo and in the terminal every chat is one person's, whatever its id looks like.
    assert not CHANNELS.is_group_chat("zalo", "-5")
    assert not CHANNELS.is_group_chat("console", "-5")
    assert not CHANNELS.is_group_chat("fax", "-5")


def test_an_emoji_at_the_boundary_moves_its_line_on_telegram_but_not_in_the_terminal() -> None:
    # 4,095 characters of the first line, then the emoji: 4,096 characters but 4,097 UTF-16 units.
    first = "a" * 4094 + " 🎉"
    text = f"{first}\nDòng thứ hai"
    assert CHANNELS.size_of("console").split(text) == [first, "Dòng thứ hai"]
    on_telegram = CHANNELS.size_of("telegram").split(text)
    assert on_telegram == ["a" * 4094, "🎉\nDòng thứ hai"]
    assert all(utf16_length(part) <= 4096 for part in on_telegram)


def test_zalo_cuts_a_long_vietnamese_text_between_lines_counting_emoji_twice() -> None:
    line = "🏅🎉 Nguyễn Thị Mười, xã Mỹ Long: tổ chức lớp học tình thương 👏👏"  # 62 characters, 66 units
    text = "\n".join([line] * 100)
    parts = CHANNELS.size_of("zalo").split(text)
    assert [len(part.split("\n")) for part in parts] == [29, 29, 29, 13]
    assert all(utf16_length(part) <= 2000 for part in parts)
    assert "\n".join(parts) == text
    # Counted in characters, a 30th line would have fitted.
    assert len("\n".join([line] * 30)) <= 2000 < utf16_length("\n".join([line] * 30))


def test_a_word_too_long_for_a_message_is_cut_without_parting_a_letter_from_its_accents() -> None:
    # Vietnamese typed with combining accents (as some keyboards send it): "ệ" is three code points.
    word = unicodedata.normalize("NFD", "nghệ") * 10
    parts = MessageSize(10).split(word)
    assert "".join(parts) == word
    assert all(len(part) <= 10 for part in parts)
    assert all(unicodedata.combining(part[0]) == 0 for part in parts)
    # The tenth character is the dot under the second "e": the cut comes before that "e" instead.
    assert unicodedata.normalize("NFC", parts[0]) == "nghệngh"


def test_an_emoji_sequence_is_not_cut_in_two() -> None:
    family = "👨\u200d👩\u200d👧"  # one picture, five code points, eight UTF-16 units
    parts = MessageSize(10, utf16_length).split("abc" + family * 3)
    assert parts == ["abc", family, family, family]


async def test_the_outbox_as_the_command_line_builds_it_knows_telegrams_groups(app: App) -> None:
    worker = outbox_worker(app, {})
    assert worker.group_chat("telegram", "-1001234567890")
    assert not worker.group_chat("zalo", "-1001234567890")
