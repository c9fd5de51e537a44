"""Loopback ports and waiting on fakes that record calls."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def wait_for(condition: Callable[[], object], seconds: float = 5.0, every: float = 0.01) -> None:
    """Until `condition()` holds, looked at `every` seconds: a condition that costs something (reading a
    database, counting hundreds of messages) is looked at less often, leaving the CPU to what is awaited."""
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110 - the fake records calls; there is no event to wait on
            await asyncio.sleep(every)
