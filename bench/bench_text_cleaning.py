"""What cleaning text at the door costs: building the Incoming and Reply models of one update (a Vietnamese
deed in, a summary with buttons out) with the cleaning validators, against the same models without them.
Rounds alternate A B A B and the medians are compared, so load on the machine weighs on both alike."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import record, report
from bot.conversation.messages import Choice, Incoming, Kind, Reply

DEED = (
    "Anh Nguyễn Văn An đã vận động bà con trong ấp góp tiền, góp công làm lại cây cầu khỉ bắc qua kênh "
    "Nguyễn Văn Tiếp, để hơn hai trăm học sinh đi học an toàn suốt mùa nước nổi năm nay. "
) * 3
SUMMARY = "\n".join(f"• Bước {n}: {DEED[:80]}" for n in range(1, 10))
LABELS = [f"Sửa: câu trả lời số {n}" for n in range(1, 10)]
UPDATES = 2000
ROUNDS = 7


class PlainIncoming(BaseModel):
    """The same fields as Incoming, without the cleaning: the baseline."""

    channel: str
    user_id: str
    chat_id: str
    kind: Kind
    text: str | None = None
    display_name: str | None = None


class PlainChoice(BaseModel):
    label: str
    value: str


class PlainReply(BaseModel):
    text: str
    choices: tuple[PlainChoice, ...] = ()


def cleaned() -> None:
    for _ in range(UPDATES):
        Incoming(channel="zalo", user_id="1", chat_id="1", kind=Kind.TEXT, text=DEED, display_name="Lê Thị Hoa")
        Reply(text=SUMMARY, choices=tuple(Choice(label=label, value=f"v{n}") for n, label in enumerate(LABELS)))


def plain() -> None:
    for _ in range(UPDATES):
        PlainIncoming(channel="zalo", user_id="1", chat_id="1", kind=Kind.TEXT, text=DEED, display_name="Lê Thị Hoa")
        PlainReply(
            text=SUMMARY, choices=tuple(PlainChoice(label=label, value=f"v{n}") for n, label in enumerate(LABELS))
        )


def timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    with_cleaning, without = [], []
    for _ in range(ROUNDS):
        with_cleaning.append(timed(cleaned))
        without.append(timed(plain))
    a, b = statistics.median(with_cleaning), statistics.median(without)
    report(
        f"Cleaning text at the door ({UPDATES} updates, each an Incoming and a Reply with 9 buttons; {ROUNDS} rounds)",
        [
            ("with cleaning, per update (median)", f"{a / UPDATES * 1e6:.1f} µs"),
            ("without, per update (median)", f"{b / UPDATES * 1e6:.1f} µs"),
            ("ratio", f"{a / b:.2f}x"),
        ],
    )
    record("cleaning, per update", a / UPDATES * 1e6, "µs", digits=1)
    record("ratio with / without cleaning", a / b)


if __name__ == "__main__":
    main()
