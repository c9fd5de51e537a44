"""The channel running as in production: long polling, the command menu, one user's updates in order while
others go ahead, a self-hosted Bot API server, errors that are logged without the token."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from telegram.error import NetworkError

from bot.app import App, build_app
from bot.channels.telegram.application import build_application
from bot.channels.telegram.config import TelegramConfigError
from bot.channels.telegram.runner import run_telegram, start_telegram, stop_telegram
from bot.cli.run import messenger_runners
from bot.clock import FixedClock
from bot.domain.policy import Grant, Role
from tests.support.chat import Person
from tests.support.config import make_settings
from tests.support.net import wait_for
from tests.support.roles import invite_code
from tests.support.telegram_fake import TOKEN, Call, FakeTelegram, Updates, as_update

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


@pytest.fixture
async def tg_app(tmp_path: Path, clock: FixedClock) -> AsyncIterator[App]:
    app = await build_app(make_settings(tmp_path, telegram_bot_token=TOKEN), clock)
    try:
        yield app
    finally:
        await app.close()


async def test_long_polling_sets_the_menu_and_answers(tg_app: App) -> None:
    fake = FakeTelegram()
    application = await start_telegram(tg_app, fake)
    try:
        assert "telegram" in tg_app.senders
        person = Updates(user_id=9090)
        await fake.updates.put(person.text("/decu"))
        await wait_for(lambda: fake.sent(9090))
        assert "Bước 1/9" in fake.texts(9090)[-1]
        polls = fake.of("getUpdates")
        assert polls[0].params["allowed_updates"] == ["message", "callback_query"]
    finally:
        await stop_telegram(tg_app, application)
    assert "telegram" not in tg_app.senders

    menus = {c.params.get("language_code"): c.params["commands"] for c in fake.of("setMyCommands")}
    assert set(menus) == {None, "vi", "en"}
    vi = {c["command"]: c["description"] for c in menus["vi"]}
    en = {c["command"]: c["description"] for c in menus["en"]}
    assert {"batdau", "decu", "cuatoi", "trogiup", "ngonngu", "quaylai", "huy"} <= set(vi)
    assert {"start", "nominate", "mine", "help", "lang", "back", "cancel"} <= set(en)
    assert en["nominate"] == "nominate a good person or good deed"
    assert vi["decu"] == tg_app.services.catalog.t("vi", "commands.nominate")
    assert menus[None] == menus["vi"]  # Vietnamese for every other app language


async def test_run_telegram_serves_until_cancelled(tg_app: App) -> None:
    fake = FakeTelegram()
    serving = asyncio.create_task(run_telegram(tg_app, fake))
    await fake.updates.put(Updates(user_id=9191).text("/start"))
    await wait_for(lambda: fake.sent(9191))
    assert "telegram" in tg_app.senders
    serving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await serving
    assert "telegram" not in tg_app.senders
    polls = len(fake.of("getUpdates"))
    await asyncio.sleep(0.3)
    assert len(fake.of("getUpdates")) == polls  # polling has stopped


async def test_a_blank_token_from_a_copied_env_example_means_no_telegram(tmp_path: Path, clock: FixedClock) -> None:
    app = await build_app(make_settings(tmp_path, telegram_bot_token="", telegram_webhook_url=""), clock)
    try:
        assert app.settings.telegram_bot_token is None and app.settings.telegram_webhook_url is None
        assert [name for name, _ in messenger_runners(app)] == []
    finally:
        await app.close()


async def test_one_user_waits_for_their_own_updates_but_not_for_anyone_else(tg_app: App) -> None:
    fake = FakeTelegram()
    application = build_application(tg_app, fake)
    await application.initialize()
    await application.start()
    bot = application.bot
    slow, quick = Updates(user_id=111), Updates(user_id=222)
    held = fake.holds[111] = asyncio.Event()
    try:
        await application.update_queue.put(as_update(slow.text("/decu"), bot))
        await application.update_queue.put(as_update(slow.press("nominate:kind:individual"), bot))
        await application.update_queue.put(as_update(quick.text("/start"), bot))

        # The quick user is answered while the slow user's first answer is still on its way...
        await wait_for(lambda: fake.sent(222))
        # ...and the slow user's button press waits for it rather than overtaking it.
        assert len([c for c in fake.of("sendMessage") if int(c.params["chat_id"]) == 111]) == 1
        assert fake.of("answerCallbackQuery") == []

        held.set()
        await wait_for(lambda: len(fake.sent(111)) == 2)
        first, second = fake.texts(111)
        assert "Bước 1/9" in first and "Bước 2/9" in second
    finally:
        held.set()
        await application.stop()
        await application.shutdown()


@pytest.mark.parametrize(
    "base_url",
    ["http://botapi:8081/bot", "http://botapi:8081/", "http://botapi:8081"],
    ids=["with /bot", "slash", "bare"],
)
async def test_a_self_hosted_bot_api_server(tmp_path: Path, clock: FixedClock, base_url: str) -> None:
    settings = make_settings(tmp_path, telegram_bot_token=TOKEN, telegram_api_base_url=base_url)
    app = await build_app(settings, clock)
    fake = FakeTelegram()
    application = build_application(app, fake)
    await application.initialize()
    try:
        person = Updates(user_id=4242)
        for update in (person.text("/decu"), person.press("nominate:kind:individual"), person.text("Trần Văn Chín")):
            await application.process_update(as_update(update, application.bot))
        for update in (person.text("thap muoi"), person.press("nominate:category:PT08")):
            await application.process_update(as_update(update, application.bot))
        await application.process_update(as_update(person.text("Ông " + "đã hiến đất làm đường " * 3), application.bot))
        fake.files["p9"] = PNG
        await application.process_update(as_update(person.photo("p9", len(PNG)), application.bot))
    finally:
        await application.shutdown()
        await app.close()
    assert fake.calls[0].url == f"http://botapi:8081/bot{TOKEN}/getMe"
    assert all(c.url.startswith(f"http://botapi:8081/bot{TOKEN}/") for c in fake.calls)
    assert [unquote(url) for url in fake.downloads] == [f"http://botapi:8081/file/bot{TOKEN}/p9"]
    assert "Đã nhận 1/5 tệp" in fake.texts(4242)[-1]


async def test_a_token_telegram_refuses_stops_start_up_with_a_clear_message(tg_app: App) -> None:
    fake = FakeTelegram()
    fake.failures["getMe"] = [(401, "Unauthorized", None)]
    with pytest.raises(TelegramConfigError, match="does not accept TELEGRAM_BOT_TOKEN"):
        await start_telegram(tg_app, fake)


async def test_a_failed_send_is_logged_without_the_token_and_the_bot_carries_on(
    tg_app: App, caplog: pytest.LogCaptureFixture
) -> None:
    fake = FakeTelegram()
    application = build_application(tg_app, fake)
    await application.initialize()
    person = Updates(user_id=3131)
    # A connection lost after the request left, twice: the answer may have arrived, so it is not tried a third
    # time.
    leak = NetworkError(f"httpx.ReadError: lost https://api.telegram.org/bot{TOKEN}/sendMessage")
    fake.raises["sendMessage"] = [leak, leak]
    try:
        with caplog.at_level(logging.ERROR):
            await application.process_update(as_update(person.text("/start"), application.bot))
        assert "error while handling update" in caplog.text and "ReadError" in caplog.text
        assert len(fake.of("sendMessage")) == 2
        assert TOKEN not in caplog.text and "<token>" in caplog.text

        await application.process_update(as_update(person.text("/decu"), application.bot))
        assert "Bước 1/9" in fake.texts(3131)[-1]
    finally:
        await application.shutdown()


async def test_flood_control_is_waited_out_for_an_answer(tg_app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("bot.channels.telegram.flood.sleep", no_sleep)
    fake = FakeTelegram()
    fake.failures["sendMessage"] = [(429, "Too Many Requests: retry after 3", {"retry_after": 3})]
    application = build_application(tg_app, fake)
    await application.initialize()
    try:
        person = Updates(user_id=5151)
        await application.process_update(as_update(person.text("/decu"), application.bot))
    finally:
        await application.shutdown()
    assert waits == [3.0]
    assert len(fake.of("sendMessage")) == 2 and "Bước 1/9" in fake.texts(5151)[0]


async def test_a_command_in_a_group_points_to_a_private_chat(tg_app: App) -> None:
    fake = FakeTelegram()
    application = build_application(tg_app, fake)
    await application.initialize()
    group = {"id": -100777, "type": "supergroup", "title": "Khối thi đua các sở"}
    vi, en = Updates(user_id=61), Updates(user_id=62, language_code="en")
    try:
        for update in (
            vi.text("/decu", chat=group),
            vi.text("Chào cả nhà", chat=group),
            vi.text("/start@another_bot", chat=group),
            en.text("/start@thidua_bot", chat=group),
        ):
            await application.process_update(as_update(update, application.bot))
    finally:
        await application.shutdown()
    assert fake.texts(-100777) == [
        "Để giữ kín thông tin cá nhân, mình chỉ trò chuyện riêng. Bạn nhắn cho mình tại đây nhé: https://t.me/thidua_bot",
        "To keep personal details private, I only talk in private chats. Message me here: https://t.me/thidua_bot",
    ]


async def test_an_answer_refused_before_it_left_is_tried_again(tg_app: App, monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []

    async def no_sleep(seconds: float) -> None:
        waits.append(seconds)

    monkeypatch.setattr("bot.channels.telegram.flood.sleep", no_sleep)
    fake = FakeTelegram()
    refused = NetworkError("httpx.ConnectError: [Errno 111] Connection refused")
    fake.failures["sendMessage"] = [(502, "Bad Gateway", None)]
    fake.raises["sendMessage"] = [refused, refused]
    application = build_application(tg_app, fake)
    await application.initialize()
    try:
        await application.process_update(as_update(Updates(user_id=5252).text("/decu"), application.bot))
    finally:
        await application.shutdown()
    # Two refused connections and a 502, each waited out a little longer; then the answer.
    assert waits == [0.5, 1.0, 2.0]
    assert len(fake.of("sendMessage")) == 4 and "Bước 1/9" in fake.texts(5252)[0]


async def test_staff_see_their_desk_commands_in_their_own_chat_and_citizens_do_not(tg_app: App) -> None:
    secretary = Person(tg_app, "7070", channel="telegram")
    await secretary.say(f"/dangky {await invite_code(tg_app, Grant(role=Role.SECRETARIAT))}")
    rep = Person(tg_app, "7171", channel="telegram")
    await rep.say(f"/dangky {await invite_code(tg_app, Grant(role=Role.UNIT_REP, unit_code='H-LAPVO'))}")
    await rep.say("/lang en")
    fake = FakeTelegram()
    application = await start_telegram(tg_app, fake)
    await stop_telegram(tg_app, application)

    def words(call: Call) -> set[str]:
        return {c["command"] for c in call.params["commands"]}

    calls = fake.of("setMyCommands")
    by_chat = {c.params["scope"].get("chat_id"): c for c in calls if c.params["scope"]["type"] == "chat"}
    private = [c for c in calls if c.params["scope"]["type"] == "all_private_chats"]
    assert {c.params.get("language_code") for c in private} == {None, "vi", "en"}
    assert all("choduyet" not in words(c) and "queue" not in words(c) for c in private)
    assert {"choduyet", "thongbao", "xuat", "moi", "web"} <= words(by_chat[7070])
    assert {"batdau", "decu", "trogiup"} <= words(by_chat[7070]) and "xem" not in words(by_chat[7070])
    # A representative's role has no desk commands: their menu is the public one, in their language.
    assert words(by_chat[7171]) == {
        "start",
        "nominate",
        "mine",
        "register",
        "report",
        "status",
        "answer",
        "help",
        "lang",
        "back",
        "cancel",
    }
