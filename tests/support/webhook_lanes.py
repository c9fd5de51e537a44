"""How a messenger's servers post updates to a bot's webhook, for the fakes: over a few connections (lanes) at
once, one person's updates always on the same lane and so in order, each lane waiting for the bot's answer
before it posts the next update. An answer other than 200 is counted (a messenger would deliver the update
again later; the fakes do not, so a bench waiting for it sees the count instead of waiting forever)."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
import tornado.web


@dataclass
class WebhookLanes:
    # The header the secret given to setWebhook is sent in.
    header: str
    # A public address prefix and the loopback address it reaches (what DNS and a reverse proxy would do).
    proxy: tuple[str, str] | None = None
    refused: int = 0
    posted: int = 0
    _lanes: list[asyncio.Queue[tuple[str, str, Any]]] = field(default_factory=list)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def post(self, lanes: int, url: str, secret: str, person: str, body: Any) -> None:
        """Queue `body` for the lane of `person`, opening lanes up to `lanes`."""
        while len(self._lanes) < lanes:
            lane: asyncio.Queue[tuple[str, str, Any]] = asyncio.Queue()
            self._lanes.append(lane)
            self._tasks.append(asyncio.create_task(self._run(lane)))
        self._lanes[sum(person.encode()) % lanes].put_nowait((url, secret, body))

    def local(self, url: str) -> str:
        if self.proxy is not None and url.startswith(self.proxy[0]):
            return self.proxy[1] + url[len(self.proxy[0]) :]
        return url

    async def _run(self, lane: asyncio.Queue[tuple[str, str, Any]]) -> None:
        async with httpx.AsyncClient(timeout=60) as client:
            while True:
                url, secret, body = await lane.get()
                try:
                    response = await client.post(self.local(url), json=body, headers={self.header: secret})
                except httpx.HTTPError:
                    self.refused += 1
                    continue
                if response.status_code == 200:
                    self.posted += 1
                else:
                    self.refused += 1

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        self._lanes.clear()


class ArrangedFake(Protocol):
    """A fake that a bench in another process arranges over HTTP."""

    def push(self, *updates: dict[str, Any]) -> None: ...
    def arrange(self, setup: dict[str, Any]) -> None: ...
    def stats(self) -> dict[str, Any]: ...


class Control(tornado.web.RequestHandler):
    """`/_fake/<action>` for a fake running in another process: push updates, arrange it, read how much was
    sent."""

    def initialize(self, fake: ArrangedFake) -> None:
        self.fake = fake

    def post(self, action: str) -> None:
        body = json.loads(self.request.body)
        if action == "updates":
            self.fake.push(*body)
        elif action == "setup":
            self.fake.arrange(body)
        else:
            raise tornado.web.HTTPError(404)
        self.finish({"ok": True})

    def get(self, action: str) -> None:
        if action != "stats":
            raise tornado.web.HTTPError(404)
        self.finish(self.fake.stats())


def proxy_of(setup: dict[str, Any]) -> tuple[str, str] | None:
    proxy = setup.get("proxy")
    return (str(proxy[0]), str(proxy[1])) if proxy else None
