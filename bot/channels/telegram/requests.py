"""python-telegram-bot's HTTP clients on the process's one TLS context.

A Bot or an Application makes two clients, one for getUpdates and one for every other call, and httpx reads
the whole certificate store for each: about 40 ms of processor time apiece at every start, more than the
rest of the channel's start-up. These are the clients python-telegram-bot makes by default (a pool of one
connection for getUpdates, 256 for the rest, its own timeouts), given the context of bot/channels/tls.py."""

from __future__ import annotations

from telegram.request import HTTPXRequest

from bot.channels.tls import tls_context


def calls_request() -> HTTPXRequest:
    return HTTPXRequest(connection_pool_size=256, httpx_kwargs={"verify": tls_context()})


def get_updates_request() -> HTTPXRequest:
    return HTTPXRequest(connection_pool_size=1, httpx_kwargs={"verify": tls_context()})
