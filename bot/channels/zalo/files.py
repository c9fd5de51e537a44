"""Downloading the photos Zalo users send: they arrive as URLs, fetched with the channel's shared client."""

from __future__ import annotations

import httpx

from bot.conversation.messages import Attachment
from bot.conversation.numbers import whole_number
from bot.engine.engine import FileTooLarge


class ZaloFiles:
    def __init__(self, http: httpx.AsyncClient, timeout: float = 30.0) -> None:
        self.http = http
        self.timeout = timeout

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes:
        """The bytes, read no further than the limit: a server that lies about the size (or says nothing)
        cannot make us hold more than max_bytes."""
        if not attachment.ref.startswith(("https://", "http://")):
            raise ValueError("not a web address")
        async with self.http.stream("GET", attachment.ref, timeout=self.timeout, follow_redirects=True) as response:
            response.raise_for_status()
            declared = response.headers.get("content-length", "")
            size = whole_number(declared)
            if size is not None and size > max_bytes:
                raise FileTooLarge(attachment.name or "photo")
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > max_bytes:
                    raise FileTooLarge(attachment.name or "photo")
        return bytes(data)
