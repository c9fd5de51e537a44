"""The desk's routes, put together into one ASGI application for the running bot."""

from __future__ import annotations

import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.app import App
from bot.web import announce, audit, digest, files, grid, nomination, queue, signin
from bot.web.context import Web, web_of
from bot.web.security import HEADERS, SecurityHeaders

log = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"


async def home(request: Request) -> Response:
    return RedirectResponse("/queue", status_code=303)


async def not_found(request: Request, exc: Exception) -> Response:
    code = exc.status_code if isinstance(exc, HTTPException) else 500
    key = "desk.not_found" if code == 404 else "desk.bad_request"
    return web_of(request).message("vi", key, code)


async def server_error(request: Request, exc: Exception) -> Response:
    """A kind page for what went wrong on our side, the error logged for the operator. This answer is sent
    from outside the middleware, so it carries the security headers itself."""
    log.error("desk: %s %s failed", request.method, request.url.path, exc_info=exc)
    response = web_of(request).message("vi", "desk.server_error", 500)
    response.headers.update(HEADERS)
    response.headers["Cache-Control"] = "no-store"
    return response


# The desk posts short forms only: a reason, a question, a tick.
MAX_BODY = 64 * 1024


def build_web(app: App) -> Starlette:
    web = Web(app)
    routes = [
        Route("/", home),
        Route("/signin", signin.signin_help),
        Route("/signin/{token}", signin.signin_page, methods=["GET"]),
        Route("/signin/{token}", signin.signin, methods=["POST"]),
        Route("/signout", signin.signout, methods=["POST"]),
        Route("/queue", queue.queue_page),
        Route("/n/{reference}", nomination.nomination_page),
        Route("/n/{reference}/file/{position:int}", nomination.evidence_route),
        Route("/n/{reference}/answer/{question:int}/{position:int}", nomination.answer_route),
        Route("/n/{reference}/{verb}", nomination.act, methods=["POST"]),
        Route("/grid", grid.grid_page),
        Route("/grid/{period}/{unit}", grid.versions_page),
        Route("/files", files.files_page),
        Route("/files/make", files.make, methods=["POST"]),
        Route("/files/download/{name}", files.download),
        Route("/audit", audit.audit_page),
        Route("/digest", digest.digest_page),
        Route("/digest/chart/{name}", digest.chart_route),
        Route("/announce", announce.announce_page, methods=["GET"]),
        Route("/announce", announce.announce, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    starlette = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={HTTPException: not_found, Exception: server_error},
        max_body_size=MAX_BODY,
    )
    starlette.state.web = web
    return starlette
