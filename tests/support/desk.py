"""A person at the desk in a browser, through HTTP: signs in with the link the bot sent them in the chat."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from bot.app import App
from bot.web.app import build_web
from tests.support.chat import Person

BASE = "http://desk.test"
LINK = re.compile(r"/signin/([A-Za-z0-9_-]+)")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def png(width: int = 8, height: int = 6, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A real PNG a browser draws (a red rectangle)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


async def link_from_chat(person: Person) -> str:
    """The path of the sign-in link /web sends to the person's chat."""
    await person.say("/web")
    found = LINK.search(person.text)
    assert found, person.text
    return found.group(0)


@asynccontextmanager
async def browser(app: App) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_web(app))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


def csrf_of(page: httpx.Response) -> str:
    found = CSRF.search(page.text)
    assert found, page.text[:500]
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, link: str) -> httpx.Response:
    """Open the link, press «Đăng nhập»; the response after the redirect."""
    page = await client.get(link)
    assert page.status_code == 200, page.text
    answer = await client.post(link, data={"csrf": csrf_of(page)})
    assert answer.status_code == 303, answer.text
    return await client.get(answer.headers["location"])


async def signed_in(app: App, person: Person, client: httpx.AsyncClient) -> str:
    """Sign the person in; the CSRF token of their session."""
    queue = await sign_in(client, await link_from_chat(person))
    assert queue.status_code == 200, queue.text
    return csrf_of(queue)
