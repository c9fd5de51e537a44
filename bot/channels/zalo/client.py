"""A thin async client for Zalo's Bot API: one pool of connections, timeouts, typed errors.

Every method is `POST <base>/bot<TOKEN>/<method>` with a JSON body, answered with `{"ok": true, "result": ...}`
or `{"ok": false, "error_code": ..., "description": ...}`. The token sits in the URL path, so no URL is ever
put in a log line or an error message, and httpx's own request log line is redacted.

The calls go straight to httpx's transport (its pool of keep-alive connections), not through an httpx
client: a client's layers (cookies kept from every answer, auth, redirects, the URL parsed again on every
call) cost about as much processor time per call as all the rest of sending and are of no use to a JSON API
that sets no cookies and does not redirect. A client given by the caller (tests) is used as it is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from typing import Any

import httpx

from bot.channels.tls import tls_context

DEFAULT_BASE_URL = "https://bot-api.zaloplatforms.com"
# Zalo holds a getUpdates call open this long when nothing happens (its documented default is 30 s).
POLL_TIMEOUT = 30
IDLE = 408
RATE_LIMITED = 429
UNAUTHORIZED = 401
# Connections kept open to the Bot API: replies to many people at once go side by side.
CONNECTIONS = 50
_JSON = {"Content-Type": "application/json", "Accept": "application/json"}

log = logging.getLogger(__name__)


class ZaloError(Exception):
    """Calling the Bot API failed."""


class ZaloTransportError(ZaloError):
    """No answer: the connection failed or timed out. `maybe_sent`: the request may have reached Zalo (it
    left, and no answer came back); otherwise it certainly did not (no connection was made)."""

    def __init__(self, message: str, *, maybe_sent: bool) -> None:
        super().__init__(message)
        self.maybe_sent = maybe_sent


# The request never left: no connection was made (DNS included), or none was free.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


class ZaloApiError(ZaloError):
    """Zalo answered, and the answer is an error (or not the API's JSON at all, e.g. a proxy's 502 page)."""

    def __init__(
        self,
        method: str,
        error_code: int,
        description: str,
        http_status: int,
        retry_after: float | None = None,
        *,
        unreadable: bool = False,
    ) -> None:
        super().__init__(f"{method}: {error_code} {description}".strip())
        self.method = method
        self.error_code = error_code
        self.description = description
        self.http_status = http_status
        self.retry_after = retry_after
        self.unreadable = unreadable

    @property
    def maybe_sent(self) -> bool:
        """A success status with a body that is not the API's answer: the call most likely went through."""
        return self.unreadable and self.http_status < 400

    @property
    def transient(self) -> bool:
        """Worth the same call again later: Zalo's own trouble, not a refusal of this request."""
        codes = {self.error_code, self.http_status}
        return any(code >= 500 for code in codes) or IDLE in codes or RATE_LIMITED in codes


class _RedactToken(logging.Filter):
    """httpx logs every request with its URL at INFO; ours carry the token in the path."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<ZALO_BOT_TOKEN>")
            record.args = ()
        return True


def method_url_prefix(base_url: str, token: str) -> str:
    """`<base>/bot<TOKEN>/`, whether the configured base already ends in `/bot` or not."""
    base = base_url.rstrip("/")
    return f"{base}{token}/" if base.endswith("/bot") else f"{base}/bot{token}/"


class ZaloClient:
    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        *,
        timeout: float = 10.0,
        poll_timeout: int = POLL_TIMEOUT,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        if not token:
            raise ValueError("a Zalo bot token is required")
        self._token = token
        self._prefix = method_url_prefix(base_url, token)
        self.timeout = timeout
        self.poll_timeout = poll_timeout
        self._own_http = http is None
        # Ours when no client is given: the calls use it directly (see the module's docstring).
        self._transport: httpx.AsyncHTTPTransport | None = None
        if http is None:
            limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
            self._transport = httpx.AsyncHTTPTransport(limits=limits, verify=tls_context())
            # For what is not an API call (downloading a person's photo), on the same connections.
            http = httpx.AsyncClient(timeout=httpx.Timeout(timeout), transport=self._transport)
        self.http = http
        self._urls: dict[str, httpx.URL] = {}
        self._timeouts: dict[float, dict[str, float | None]] = {}
        self._redact = _RedactToken(token)
        logging.getLogger("httpx").addFilter(self._redact)

    async def aclose(self) -> None:
        logging.getLogger("httpx").removeFilter(self._redact)
        if self._own_http:
            await self.http.aclose()

    def _hide(self, text: str) -> str:
        return text.replace(self._token, "<ZALO_BOT_TOKEN>")

    async def call(self, method: str, params: Mapping[str, Any] | None = None, *, wait: float | None = None) -> Any:
        """The `result` of one Bot API call, or ZaloApiError / ZaloTransportError."""
        seconds = wait if wait is not None else self.timeout
        try:
            if self._transport is None:
                response = await self.http.post(
                    self._prefix + method, json=dict(params or {}), timeout=httpx.Timeout(seconds)
                )
            else:
                response = await self._send(method, params, seconds)
        except httpx.TimeoutException as exc:
            # `from None`: httpx's exception holds the request, and the request holds the token.
            sent = not isinstance(exc, NOT_SENT)
            raise ZaloTransportError(f"{method}: timed out ({type(exc).__name__})", maybe_sent=sent) from None
        except httpx.TransportError as exc:
            text = f"{method}: {type(exc).__name__}: {self._hide(str(exc))}"
            raise ZaloTransportError(text, maybe_sent=not isinstance(exc, NOT_SENT)) from None
        log.debug("zalo: %s answered %s", method, response.status_code)
        return self._result(method, response)

    async def _send(self, method: str, params: Mapping[str, Any] | None, seconds: float) -> httpx.Response:
        """One call on our own transport, its answer read whole."""
        assert self._transport is not None
        url = self._urls.get(method)
        if url is None:
            url = self._urls[method] = httpx.URL(self._prefix + method)
        timeout = self._timeouts.get(seconds)
        if timeout is None:
            timeout = self._timeouts[seconds] = httpx.Timeout(seconds).as_dict()
        body = json.dumps(dict(params or {}), ensure_ascii=False, separators=(",", ":")).encode()
        request = httpx.Request("POST", url, content=body, headers=_JSON, extensions={"timeout": timeout})
        response = await self._transport.handle_async_request(request)
        try:
            await response.aread()
        finally:
            await response.aclose()
        return response

    def _result(self, method: str, response: httpx.Response) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("ok") is True and response.status_code < 400:
            return body.get("result")
        if not isinstance(body, dict) or "ok" not in body:
            status = response.status_code
            raise ZaloApiError(method, status, f"HTTP {status}", status, unreadable=True)
        code = body.get("error_code", body.get("errorCode"))
        error_code = int(code) if isinstance(code, int | str) and str(code).lstrip("-").isdigit() else 0
        description = self._hide(str(body.get("description") or body.get("message") or ""))
        parameters = body.get("parameters")
        retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else body.get("retry_after")
        wait = float(retry_after) if isinstance(retry_after, int | float) else None
        raise ZaloApiError(method, error_code or response.status_code, description, response.status_code, wait)

    # -- the Bot API's methods ---------------------------------------------------------------------------
    async def get_me(self) -> dict[str, Any]:
        result = await self.call("getMe")
        return result if isinstance(result, dict) else {}

    async def get_updates(self, hold: int | None = None) -> list[dict[str, Any]]:
        """The next update(s), or [] when the long poll ended with nothing new (Zalo's 408). `hold`: how long
        Zalo may keep the call open waiting for one, in seconds."""
        seconds = self.poll_timeout if hold is None else hold
        try:
            # Zalo documents `timeout` as a string of seconds; the HTTP timeout leaves it room to answer.
            result = await self.call("getUpdates", {"timeout": str(seconds)}, wait=seconds + 10)
        except ZaloApiError as exc:
            if IDLE in (exc.error_code, exc.http_status):
                return []
            raise
        # One update per call as documented; a list is accepted as well.
        if isinstance(result, dict):
            return [result]
        if isinstance(result, list):
            return [item for item in result if isinstance(item, dict)]
        return []

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> Any:
        return await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        result = await self.call("getWebhookInfo")
        return result if isinstance(result, dict) else {}

    async def send_message(self, chat_id: str, text: str) -> Any:
        return await self.call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> Any:
        params: dict[str, Any] = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption
        return await self.call("sendPhoto", params)

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        return await self.call("sendChatAction", {"chat_id": chat_id, "action": action})
