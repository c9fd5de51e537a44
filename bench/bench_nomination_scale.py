"""A nomination's cost on a province's accumulated data against the same on an empty database.

Two apps side by side, each on its own SQLite file: one as shipped (the campaign's units, no nominations),
one with 5,000 more units and 20,000 earlier nominations in the unit being nominated in. The same complete
nomination (eleven updates, from /decu to the reference, driven through the engine as the Zalo channel
hands them over) runs on each in alternating rounds; the figure is the CPU time of the process (the
database thread included) per nomination, so that other work on the machine weighs little.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_zalo_nomination import ANSWERS, settings_for  # noqa: E402
from bench.common import record, report, scratch_dir  # noqa: E402
from bot.app import App, build_app  # noqa: E402
from bot.channels.zalo.mapping import to_incoming  # noqa: E402
from bot.conversation.messages import Incoming  # noqa: E402
from bot.storage.timefmt import to_db  # noqa: E402
from tests.support.zalo_fake import ZaloPerson  # noqa: E402

EXTRA_UNITS = 5_000
EARLIER = 20_000
UNIT = "H-THAPMUOI"
ROUNDS = 7
PER_ROUND = 4
GIVEN = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh", "Quốc", "Kim"]
LAST = ["An", "Bình", "Cúc", "Dũng", "Hà", "Hùng", "Lan", "Mai", "Nam", "Phúc", "Sơn", "Tâm", "Vy", "Yến"]


def name_of(n: int) -> str:
    return f"{GIVEN[n % 10]} {MIDDLE[n // 10 % 8]} {LAST[n // 80 % 14]} {n // 1120 or ''}".strip()


def fill(db: Path) -> None:
    """The province's accumulated data, written as the app writes it (folded keys included where the
    schema has them)."""
    from bot.storage.keys import nominee_key, unit_keys

    now = to_db(dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    with sqlite3.connect(db) as conn:
        units = []
        for i in range(EXTRA_UNITS):
            name = f"Xã {LAST[i % 14]} {GIVEN[i // 14 % 10]} {i}"
            units.append((f"X-{i:05d}", name, *unit_keys(name, f"X-{i:05d}"), f"KHOI-{i % 7}", now))
        conn.executemany(
            "INSERT INTO unit_versions (code, name, name_key, code_key, kind, parent_code, group_code, status,"
            " source, recorded_at) VALUES (?, ?, ?, ?, 'commune', NULL, ?, 'active', 'bench', ?)",
            units,
        )
        conn.execute(
            "INSERT INTO users (channel, external_id, chat_id, lang, created_at) VALUES ('bench', 's', 's', 'vi', ?)",
            (now,),
        )
        user = conn.execute("SELECT id FROM users WHERE external_id = 's'").fetchone()[0]
        nominations = [
            (f"DC-2025-{n:06d}", "TD2026", user, name_of(n), nominee_key(name_of(n)), UNIT, "PT08", now)
            for n in range(EARLIER)
        ]
        conn.executemany(
            "INSERT INTO nominations (reference, campaign_code, submitted_by, channel, nominee_kind, nominee_name,"
            " nominee_key, unit_code, category_code, deed, anonymous, consent_at, created_at)"
            " VALUES (?, ?, ?, 'bench', 'individual', ?, ?, ?, ?, 'Việc tốt', 0, ?, ?)",
            [(*row, now) for row in nominations],
        )


class Nominating:
    """One app and the people who nominate on it, each once."""

    def __init__(self, app: App, tag: str) -> None:
        self.app = app
        self.tag = tag
        self.people = 0

    def conversation(self) -> list[Incoming]:
        self.people += 1
        person = ZaloPerson(user_id=f"{self.tag}{self.people:06d}", name=f"Người {self.people}")
        found = [to_incoming(person.text(answer)) for answer in ANSWERS]
        return [item for item in found if item is not None]

    async def round(self, count: int) -> float:
        """CPU seconds per nomination over `count` complete nominations."""
        conversations = [self.conversation() for _ in range(count)]
        started = time.process_time()
        for updates in conversations:
            for item in updates:
                await self.app.engine.handle(item)
        return (time.process_time() - started) / count

    def committed(self) -> int:
        with sqlite3.connect(self.app.db.path) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM nominations WHERE channel = 'zalo'").fetchone()[0])


async def measure(rounds: int = ROUNDS, per_round: int = PER_ROUND) -> dict[str, float]:
    with scratch_dir("bench-scale-empty-") as empty_dir, scratch_dir("bench-scale-large-") as large_dir:
        empty_app = await build_app(settings_for(empty_dir, "http://127.0.0.1:9"))
        large_app = await build_app(settings_for(large_dir, "http://127.0.0.1:9"))
        fill(large_app.db.path)
        empty, large = Nominating(empty_app, "e"), Nominating(large_app, "l")
        # One nomination each first, so that neither pays for first-use costs inside a round.
        await empty.round(1)
        await large.round(1)
        empty_times, large_times = [], []
        for _ in range(rounds):
            empty_times.append(await empty.round(per_round))
            large_times.append(await large.round(per_round))
        for side in (empty, large):
            assert side.committed() == side.people, f"{side.tag}: only {side.committed()} of {side.people} committed"
        await empty_app.close()
        await large_app.close()
    e, g = statistics.median(empty_times), statistics.median(large_times)
    return {"empty": e, "large": g, "ratio": g / e}


def main() -> None:
    figures = asyncio.run(measure())
    report(
        f"A nomination's cost: empty database vs {EARLIER:,} earlier nominations in its unit and"
        f" {EXTRA_UNITS:,} more units ({ROUNDS} alternating rounds of {PER_ROUND}, CPU time, medians)",
        [
            ("empty database", f"{figures['empty'] * 1000:.1f} ms per nomination (11 updates)"),
            ("large database", f"{figures['large'] * 1000:.1f} ms per nomination"),
            ("ratio large / empty (goal <= 1.2)", f"{figures['ratio']:.2f}"),
        ],
    )
    record("nomination cost, large / empty database", figures["ratio"], at_most=1.2)


if __name__ == "__main__":
    main()
