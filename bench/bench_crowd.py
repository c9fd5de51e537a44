"""200 people nominating at once on a province's accumulated data: 5,000 more units and 100,000 earlier
nominations (20,000 of them in the unit being nominated in), against the same crowd on the shipped database.

Everything real but the network: python-telegram-bot's objects on an in-process fake of the Bot API, every
update kept in the inbox and handled by the inbox worker, replies recorded and confirmed, one SQLite file in
WAL mode per side. People answer what they are asked: in each wave every person's next update arrives at
once, as a webhook would hand them over, and the next wave comes when everyone has had their answer. Rounds
alternate between the two databases with fresh people each round; the figures are the medians.

The goal is that the crowd completes at the messenger's rate: at least 30 messages a second, the rate at
which Telegram lets a bot send to different people, on the large database.

    .venv/bin/python bench/bench_crowd.py [PEOPLE] [ROUNDS]
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from telegram import Update  # noqa: E402

from bench.bench_durability import Mode, mode_app  # noqa: E402
from bench.bench_nomination_scale import EXTRA_UNITS, name_of  # noqa: E402
from bench.bench_nomination_scale import fill as fill_unit  # noqa: E402
from bench.bench_telegram_nomination import conversation  # noqa: E402
from bench.common import Stopwatch, record, report  # noqa: E402
from bench.common import scratch_dir as scratch  # noqa: E402
from bot.app import App  # noqa: E402
from bot.channels.telegram.inbox import arrival  # noqa: E402
from bot.storage.timefmt import to_db  # noqa: E402
from tests.support.telegram_fake import SENDS, Updates  # noqa: E402

PEOPLE = 200
ROUNDS = 3
ELSEWHERE = 80_000  # earlier nominations in the other units, beside the 20,000 in the nominated unit
MESSENGER_RATE = 30.0


def fill(db: Path) -> None:
    fill_unit(db)
    from bot.storage.keys import nominee_key

    now = to_db(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with sqlite3.connect(db) as conn:
        user = conn.execute("SELECT id FROM users WHERE external_id = 's'").fetchone()[0]
        conn.executemany(
            "INSERT INTO nominations (reference, campaign_code, submitted_by, channel, nominee_kind, nominee_name,"
            " nominee_key, unit_code, category_code, deed, anonymous, consent_at, created_at)"
            " VALUES (?, 'TD2026', ?, 'bench', 'individual', ?, ?, ?, 'PT08', 'Việc tốt', 0, ?, ?)",
            [
                (f"DC-2024-{n:06d}", user, name_of(n), nominee_key(name_of(n)), f"X-{n % EXTRA_UNITS:05d}", now, now)
                for n in range(ELSEWHERE)
            ],
        )


class Side(Mode):
    """One database and the Telegram channel in front of it, every update kept in the inbox."""

    def __init__(self, app: App, tag: int) -> None:
        super().__init__(app, kept=True)
        self.tag = tag
        self.rounds = 0

    def messages(self) -> int:
        return sum(1 for c in self.fake.calls if c.ok and c.method in SENDS)

    async def crowd(self, people: int) -> tuple[float, int]:
        """Seconds for `people` complete nominations at once, and the messages they were sent."""
        assert self.inbox is not None
        self.rounds += 1
        base = 1_000_000 * self.tag + 10_000 * self.rounds
        waves = list(zip(*(conversation(Updates(user_id=base + i)) for i in range(people)), strict=True))
        bot = self.application.bot
        before = self.messages()
        watch = Stopwatch()
        for wave in waves:
            await self.inbox.keep_all(
                [arrival(Update.de_json(data, bot), json.dumps(data, ensure_ascii=False)) for data in wave]
            )
            await self.inbox.join()
        return watch.seconds, self.messages() - before

    def committed(self) -> int:
        with sqlite3.connect(self.app.db.path) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM nominations WHERE channel = 'telegram'").fetchone()[0])


async def measure(people: int, rounds: int) -> dict[str, float]:
    rates: dict[str, list[float]] = {"empty": [], "large": []}
    done: dict[str, list[float]] = {"empty": [], "large": []}
    with scratch("bench-crowd-") as folder:
        sides = {"empty": Side(await mode_app(folder / "empty"), 1), "large": Side(await mode_app(folder / "large"), 2)}
        fill(sides["large"].app.db.path)
        for side in sides.values():
            await side.start()
        for _ in range(rounds):
            for name, side in sides.items():
                seconds, messages = await side.crowd(people)
                rates[name].append(messages / seconds)
                done[name].append(people / seconds)
        for name, side in sides.items():
            committed = side.committed()
            assert committed == rounds * people, f"{name}: {committed} of {rounds * people} nominations committed"
            await side.application.shutdown()
            await side.app.close()
    figures = {f"{name}_messages": statistics.median(values) for name, values in rates.items()}
    figures |= {f"{name}_nominations": statistics.median(values) for name, values in done.items()}
    return figures


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else PEOPLE
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else ROUNDS
    f = asyncio.run(measure(people, rounds))
    report(
        f"{people} people nominating at once through Telegram, shipped database vs 100,000 earlier nominations "
        f"and {EXTRA_UNITS:,} more units ({rounds} alternating rounds, medians)",
        [
            ("shipped database", f"{f['empty_messages']:.0f} messages/s, {f['empty_nominations']:.1f} nominations/s"),
            ("large database", f"{f['large_messages']:.0f} messages/s, {f['large_nominations']:.1f} nominations/s"),
            ("large / shipped", f"{f['large_messages'] / f['empty_messages']:.2f}"),
            (f"large / the messenger's rate ({MESSENGER_RATE:.0f}/s)", f"{f['large_messages'] / MESSENGER_RATE:.2f}"),
        ],
    )
    large = f["large_messages"]
    record("crowd of 200, messages/s on the large database", large, "/s", at_least=MESSENGER_RATE, digits=0)
    record("crowd of 200, large / shipped database", f["large_messages"] / f["empty_messages"])


if __name__ == "__main__":
    main()
