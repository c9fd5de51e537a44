"""Picking several content areas on a phone: several numbers in one message, the list sent once, and only
the ticks reported after each one (the terminal chat renders as Zalo does: a numbered list)."""

from __future__ import annotations

import io

from bot.app import App
from bot.channels.console import render, run_console
from tests.support.conversations import YEAR_END
from tests.support.roles import representative


async def test_several_numbers_at_once_and_the_list_is_not_sent_again(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    await rep.say("/baocao")
    await rep.tap(YEAR_END)
    areas = len(rep.buttons) - 1
    assert areas == 19 and render(rep.last[-1]).count("\n  ") == 20  # the list, numbered, once

    await rep.say("4 16")
    ticked = [b for b in rep.buttons if b.startswith("☑")]
    assert len(ticked) == 2 and "Giảm nghèo bền vững" in ticked[1]
    (report,) = rep.last
    assert report.refresh and "Đã chọn 2: 4." in report.text and "16. Giảm nghèo" in report.text
    assert "\n  1. " not in render(report)  # only the ticks, not the 20 lines again

    await rep.say("4,5")  # 4 unticked, 5 ticked
    assert "Đã chọn 2: 5." in rep.text and "16." in rep.text and "4." not in rep.text.split("Đã chọn")[1]
    await rep.say("6-8")
    assert "Đã chọn 5:" in rep.text
    await rep.say("6 – 8; 5")
    assert "Đã chọn 1: 16." in rep.text
    # A number typed alone still ticks, and the numbers still mean the same list.
    await rep.say("1")
    assert "Đã chọn 2: 1." in rep.text
    await rep.say("3 25")
    assert "không có số 25" in rep.text and "Đã chọn 2:" in rep.text
    await rep.say(str(areas + 1))  # the last number is "Done"
    assert "Bước 3/" in rep.text


async def test_the_terminal_prints_a_tick_as_one_short_message(app: App) -> None:
    rep = await representative(app, "10", "H-THAPMUOI")
    out = io.StringIO()
    script = io.StringIO("/baocao\n1\n4 16\n")
    await run_console(app.engine, "10", stdin=script, stdout=out)
    printed = out.getvalue()
    assert printed.count("Giảm nghèo bền vững, các vấn đề xã hội") == 2  # in the list, then in the ticks
    assert printed.rstrip().splitlines()[-1].startswith("Chọn thêm hoặc bỏ bớt")
    assert rep.user_id == "10"
