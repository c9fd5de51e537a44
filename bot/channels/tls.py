"""One TLS context for every HTTP client of the process.

httpx builds a context for each client or transport it is not given one, reading the whole certificate store
each time: about 25 ms of processor time, more than most calls to a messenger take. A context is made to be
shared (the standard library's documentation says so), so it is built once, the way httpx builds its own:
the certificates SSL_CERT_FILE or SSL_CERT_DIR names where set, else certifi's."""

from __future__ import annotations

import ssl
from functools import cache

import httpx


@cache
def tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context()
