"""Whole nominations per second through the Telegram webhook: 1, 2 and 4 `python -m bot run` workers on one
PostgreSQL database, against 1 worker on SQLite.

Every worker is a real process started as in production, with its own webhook port; the bench stands in for
the load balancer (each update goes to the next worker in turn, so one person's steps reach different
workers) and for Telegram (a fake Bot API on loopback, in this process, that records what the bot sends).
Each round, PEOPLE people nominate at once, every one the whole way from /decu to the reference code, each
step sent when the bot has answered the one before, as a person waits for the bot. The figure is the
nominations finished per second over the round. Beside it, the processor time the workers (and the
PostgreSQL server, when it runs on this machine) spent per nomination: on a machine shared with other work
the rate follows the load, the processor time much less.

The four set-ups start together and stay up; all but the one being measured are stopped (SIGSTOP), so that
they take no processor from it. Rounds alternate between the set-ups (A B C D A B C D ...) and each figure is
the median of its rounds, after a warm-up round of each. A worker that logs an error fails the bench.

Needs a PostgreSQL server: BENCH_POSTGRES_URL (or TEST_POSTGRES_URL), e.g.
`scripts/with-postgres.sh .venv/bin/python bench/bench_webhook_workers.py`. BENCH_WEBHOOK_SCALE=4 makes
the rounds four times larger.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from bench.common import record, report, scratch_dir  # noqa: E402
from tests.support.telegram_fake import BOT_ID, TOKEN, Updates  # noqa: E402
from tests.support.telegram_http_fake import SENDS, HttpTelegram  # noqa: E402

SCALE = max(1, int(os.environ.get("BENCH_WEBHOOK_SCALE", "1")))
PEOPLE = 12 * SCALE
WARM_UP = 4
ROUNDS = 3
SETUPS = [("SQLite, 1 worker", "sqlite", 1)] + [
    (f"PostgreSQL, {n} worker{'s' if n > 1 else ''}", "postgresql", n) for n in (1, 2, 4)
]
SECRET = "bench-Secret_1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CAMPAIGN = ROOT / "config" / "dong-thap-2023.yaml"
# Start-up on a busy machine: imports, migrations, the units seeded, getMe.
STARTING = 120.0
# One step's answer, at most: a worker that stops answering fails the bench instead of hanging it.
ANSWER_LIMIT = 120.0

DEED = "Ông đã vận động bà con góp tiền làm lại cây cầu khỉ cho học sinh đi học an toàn."
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi"]
MIDDLE = ["Văn", "Thị", "Minh", "Hữu", "Thanh"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Hà", "Hải", "Hạnh", "Hoa", "Hùng", "Khánh"]

# A nomination as a person makes it: what they type or tap, and what the bot's answer to it says.
SAY, TAP = "say", "tap"
STEPS = [
    (SAY, "/decu", "Bước 1/9"),
    (TAP, "Cá nhân", "Bước 2/9"),
    (SAY, "{name}", "Bước 3/9"),
    (SAY, "thap muoi", "Bước 4/9"),
    (TAP, "nông thôn mới", "Bước 5/9"),
    (SAY, DEED, "Bước 6/9"),
    (TAP, "Bỏ qua", "Bước 7/9"),
    (SAY, "Trần Thị Bình", "Bước 8/9"),
    (SAY, "0912 345 678", "Bước 9/9"),
    (TAP, "Tôi xác nhận", "Xem lại trước khi gửi"),
    (TAP, "Gửi", "NTVT-"),
]


@dataclass
class Sent:
    message_id: int
    text: str
    markup: dict[str, Any]

    def button(self, label: str) -> str | None:
        """The callback data of the first button whose label holds `label`."""
        for row in self.markup.get("inline_keyboard", []):
            for button in row:
                if label in button.get("text", ""):
                    return str(button["callback_data"])
        return None


@dataclass
class BotApi(HttpTelegram):
    """The fake Bot API, keeping each chat's messages with their keyboards and waking whoever waits on them."""

    chats: dict[str, list[Sent]] = field(default_factory=lambda: defaultdict(list))
    arrived: dict[str, asyncio.Event] = field(default_factory=lambda: defaultdict(asyncio.Event))

    async def answer(self, method: str, params: dict[str, Any]) -> Any:
        result = await super().answer(method, params)
        if method in SENDS:
            chat = str(params.get("chat_id"))
            markup = params.get("reply_markup")
            self.chats[chat].append(
                Sent(result["message_id"], result["text"], markup if isinstance(markup, dict) else {})
            )
            self.arrived[chat].set()
        elif method == "editMessageReplyMarkup":
            # A keyboard put on a message after it went (when a contact keyboard was taken away first).
            chat = str(params.get("chat_id"))
            markup = params.get("reply_markup")
            for message in self.chats[chat]:
                if message.message_id == params.get("message_id"):
                    message.markup = markup if isinstance(markup, dict) else {}
            self.arrived[chat].set()
        # Only what the bench reads is kept: a long run would otherwise hold every call.
        self.calls.clear()
        self.sent.clear()
        return result

    async def until(self, chat: str, since: int, holds: Any) -> Sent:
        """The first message to `chat` after its `since` first ones for which holds(message), when it comes."""
        while True:
            for message in self.chats[chat][since:]:
                if holds(message):
                    return message
            self.arrived[chat].clear()
            await self.arrived[chat].wait()


def has_button(label: str) -> Callable[[Sent], bool]:
    return lambda message: message.button(label) is not None


def says(text: str) -> Callable[[Sent], bool]:
    return lambda message: text in message.text


def press(person: Updates, message: Sent, data: str) -> dict[str, Any]:
    """A button press as Telegram delivers it: with the message the button was on, keyboard included."""
    update = person.press(data)
    update["callback_query"]["message"].update(
        message_id=message.message_id,
        text=message.text,
        reply_markup=message.markup,
        **{"from": {"id": BOT_ID, "is_bot": True, "first_name": "Thi đua"}},
    )
    return update


async def nominate(client: httpx.AsyncClient, api: BotApi, person: Updates, ports: list[int], turn: int) -> None:
    """One whole nomination, each step to the next worker in turn; returns once the reference is received."""
    chat = str(person.user_id)
    n = person.user_id
    name = f"{FAMILY[n % 10]} {MIDDLE[n // 10 % 5]} {GIVEN[n // 50 % 10]}"

    async def answer(since: int, holds: Callable[[Sent], bool], what: str) -> Sent:
        try:
            async with asyncio.timeout(ANSWER_LIMIT):
                return await api.until(chat, since, holds)
        except TimeoutError:
            said = [m.text[:60] for m in api.chats[chat][since:]]
            raise AssertionError(f"{chat}: no {what} in {ANSWER_LIMIT:.0f} s; the bot said {said}") from None

    since = 0
    for step, (kind, value, expected) in enumerate(STEPS):
        if kind == SAY:
            update = person.text(value.format(name=name))
        else:
            # The button is on the bot's answer to the step before.
            message = await answer(since, has_button(value), f"button {value!r}")
            update = press(person, message, message.button(value) or "")
        since = len(api.chats[chat])
        posted = await client.post(
            f"http://127.0.0.1:{ports[(turn + step) % len(ports)]}/tg/hook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        assert posted.status_code == 200, posted.text
        await answer(since, says(expected), repr(expected))


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int, *, reaped: bool = False) -> float:
    """The processor time a process has used (with that of its ended children when `reaped`); 0 once gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if reaped else 0)
    return float(ticks) / CLOCK_TICKS


def server_cpu_seconds(postmaster: int | None) -> float:
    """The PostgreSQL server's processor time: its own, its ended backends' and its running ones'."""
    if postmaster is None:
        return 0.0
    total = cpu_seconds(postmaster, reaped=True)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == postmaster:
                total += cpu_seconds(int(entry.name))
    return total


@dataclass
class Setup:
    title: str
    engine: str
    ports: list[int]
    children: list[subprocess.Popen[bytes]]
    rates: list[float] = field(default_factory=list)
    # Processor time per nomination: the workers', and the database server's where it runs here.
    worker_cpu: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)

    def pause(self) -> None:
        for child in self.children:
            child.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        for child in self.children:
            child.send_signal(signal.SIGCONT)

    def cpu(self) -> float:
        return sum(cpu_seconds(child.pid) for child in self.children)

    def stop(self) -> None:
        for child in self.children:
            child.send_signal(signal.SIGCONT)
            child.terminate()
        for child in self.children:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()


def start(title: str, engine: str, url: str, workers: int, folder: Path, api: BotApi) -> Setup:
    folder.mkdir()
    ports = [free_port() for _ in range(workers)]
    children = []
    for number, port in enumerate(ports):
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "DATA_DIR": str(folder / "data"),  # shared by the workers, as the README asks
            "CAMPAIGN_FILE": str(CAMPAIGN),
            "LOG_LEVEL": "WARNING",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_BASE_URL": api.base_url,
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg/hook",
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_WEBHOOK_PORT": str(port),
            "ZALO_BOT_TOKEN": "",
            "WEB_ENABLED": "false",
        }
        with open(folder / f"worker-{number}.log", "wb") as log:
            children.append(
                subprocess.Popen([sys.executable, "-m", "bot", "run"], env=env, cwd=ROOT, stdout=log, stderr=log)
            )
    return Setup(title, engine, ports, children)


async def started(setup: Setup) -> None:
    deadline = time.monotonic() + STARTING
    while not all(listening(port) for port in setup.ports):
        for child in setup.children:
            assert child.poll() is None, f"{setup.title}: a worker ended at start-up (see its log)"
        assert time.monotonic() < deadline, f"{setup.title}: not listening after {STARTING:.0f} s"
        await asyncio.sleep(0.2)


async def one_round(setup: Setup, api: BotApi, people: list[Updates]) -> float:
    """Nominations per second: `people` nominating at once, from the first update to the last reference."""
    limits = httpx.Limits(max_connections=len(people), max_keepalive_connections=len(people))
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        began = time.perf_counter()
        await asyncio.gather(*(nominate(client, api, p, setup.ports, i) for i, p in enumerate(people)))
        return len(people) / (time.perf_counter() - began)


async def postgres_database(server: str) -> tuple[str, int | None]:
    """A new database on the server, and the server's main process when it runs on this machine."""
    import psycopg

    name = f"thidua_bench_{uuid.uuid4().hex[:10]}"
    async with await psycopg.AsyncConnection.connect(server, autocommit=True) as conn:
        await conn.execute(f"CREATE DATABASE {name}".encode())
        cursor = await conn.execute("SELECT pg_backend_pid()")
        row = await cursor.fetchone()
    backend = int(row[0]) if row else 0
    try:
        postmaster: int | None = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        postmaster = None  # a server elsewhere: its processor time is not ours to read
    return server.rpartition("/")[0] + "/" + name, postmaster


async def measure(server: str, folder: Path) -> tuple[list[Setup], bool]:
    api = BotApi()
    await api.start()
    setups: list[Setup] = []
    people = (Updates(user_id=900_000 + n, first_name=f"Người {n}") for n in range(10_000_000))
    postmaster: int | None = None
    try:
        # All start at once (start-up is most of the time otherwise), then each is stopped but while measured.
        for number, (title, engine, workers) in enumerate(SETUPS):
            if engine == "sqlite":
                url = f"sqlite:///{folder / 'thidua.db'}"
            else:
                url, postmaster = await postgres_database(server)
            setups.append(start(title, engine, url, workers, folder / f"setup-{number}", api))
        for setup in setups:
            await started(setup)
            setup.pause()
        for setup in setups:
            setup.resume()
            # Each worker's first requests load what later ones find loaded.
            await one_round(setup, api, [next(people) for _ in range(WARM_UP)])
            setup.pause()
        for _ in range(ROUNDS):
            for setup in setups:
                setup.resume()
                workers_cpu, server_cpu = setup.cpu(), server_cpu_seconds(postmaster)
                setup.rates.append(await one_round(setup, api, [next(people) for _ in range(PEOPLE)]))
                setup.worker_cpu.append((setup.cpu() - workers_cpu) / PEOPLE)
                if setup.engine == "postgresql":
                    setup.server_cpu.append((server_cpu_seconds(postmaster) - server_cpu) / PEOPLE)
                setup.pause()
    finally:
        for setup in setups:
            setup.stop()
        await api.stop()
    return setups, postmaster is not None


def main() -> None:
    server = os.environ.get("BENCH_POSTGRES_URL") or os.environ.get("TEST_POSTGRES_URL")
    if not server:
        print("bench_webhook_workers: set BENCH_POSTGRES_URL (or run under scripts/with-postgres.sh); skipped")
        return
    with scratch_dir("thidua-bench-webhook-") as folder:
        setups, server_here = asyncio.run(measure(server, folder))
        # A figure from workers that failed on the way (and a person got an answer all the same) is no figure.
        failed = [log for log in sorted(folder.glob("setup-*/worker-*.log")) if "Traceback" in log.read_text()]
        for log in failed:
            print(f"== {log.relative_to(folder)}\n{log.read_text()[-3000:]}", file=sys.stderr)
        assert not failed, f"{len(failed)} worker(s) logged an error"
    sqlite = statistics.median(setups[0].rates)
    rows = []
    for setup in setups:
        median = statistics.median(setup.rates)
        rounds = ", ".join(f"{rate:.2f}" for rate in setup.rates)
        spent = f"{statistics.median(setup.worker_cpu) * 1000:.0f} ms of workers"
        if setup.server_cpu:
            spent += f" + {statistics.median(setup.server_cpu) * 1000:.0f} ms of server"
        rows.append((setup.title, f"{median:.2f} nominations/s ({rounds}); {median / sqlite:.2f} x SQLite"))
        rows.append(("  processor time per nomination", spent))
    load = ", ".join(f"{figure:.2f}" for figure in os.getloadavg())
    report(
        f"Webhook nominations, {PEOPLE} people at once, {len(STEPS)} updates each, median of {ROUNDS} alternating"
        f" rounds; {os.cpu_count()} processors, load average {load}",
        rows,
    )
    for setup in setups:
        record(f"{setup.title}, nominations", statistics.median(setup.rates), "/s")
    for setup in setups[1:]:
        record(f"{setup.title} / SQLite 1 worker", statistics.median(setup.rates) / sqlite)
    for setup in setups:
        cpu = statistics.median(setup.worker_cpu) + (statistics.median(setup.server_cpu) if setup.server_cpu else 0)
        what = "workers and server" if setup.engine == "postgresql" and server_here else "workers"
        record(f"{setup.title}, processor time per nomination ({what})", cpu * 1000, "ms", digits=0)


if __name__ == "__main__":
    main()
