"""Zalo's failures told apart: refused before the message could arrive (tried again), or possibly arrived
(an outbox message is marked uncertain; an answer to a user goes once more at most)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from bot.channels.zalo.client import ZaloClient
from bot.channels.zalo.retry import RetryPolicy
from bot.channels.zalo.sender import ZaloSender
from bot.conversation import delivery
from bot.conversation.messages import Reply
from bot.i18n import default_catalog
from tests.support.faulty_messenger import MEANING, FaultyMessenger
from tests.support.zalo_fake import TOKEN

FAST = RetryPolicy(attempts=4, base_delay=0.0, max_delay=0.0)


async def vietnamese(chat_id: str) -> str:
    return "vi"


@pytest.fixture
async def zalo() -> AsyncIterator[tuple[FaultyMessenger, ZaloSender]]:
    messenger = FaultyMessenger(rate=1.0)
    http = httpx.AsyncClient(transport=messenger.transport())
    client = ZaloClient(TOKEN, "https://bot-api.zaloplatforms.com", http=http)

    async def no_wait(seconds: float) -> None:
        return None

    try:
        yield messenger, ZaloSender(client, default_catalog(), vietnamese, sleep=no_wait)
    finally:
        await client.aclose()
        await http.aclose()


@pytest.mark.parametrize(("fault", "expected"), MEANING)
async def test_the_outbox_is_told_what_may_have_arrived(
    zalo: tuple[FaultyMessenger, ZaloSender], fault: str, expected: type[Exception]
) -> None:
    messenger, sender = zalo
    messenger.only = fault
    with pytest.raises(delivery.DeliveryError) as raised:
        await sender.send("u-1", Reply(text="Nhắc việc"))
    assert type(raised.value) is expected


@pytest.mark.parametrize(("fault", "tries"), [("connect_refused", 4), ("500", 4), ("read_timeout", 2), ("reset", 2)])
async def test_an_answer_is_tried_again_only_as_far_as_it_cannot_show_twice(
    zalo: tuple[FaultyMessenger, ZaloSender], fault: str, tries: int
) -> None:
    messenger, sender = zalo
    messenger.only = fault
    with pytest.raises(Exception):  # noqa: B017 - whichever the last failure was
        await sender.deliver("u-1", Reply(text="Bước 2/9"), "vi", FAST)
    sends = messenger.faults[fault]
    assert sends == tries
    # What may have arrived went at most twice: the person sees the question once, or once repeated.
    assert messenger.delivered.count("u-1") <= 2
