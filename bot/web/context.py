"""Who is asking, and whether they may: the session behind the cookie, the person's roles, the policy."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import cache, wraps
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.app import App
from bot.domain.policy import Action, Role, allowed, roles_of
from bot.domain.users import User
from bot.engine.context import grants_of_user
from bot.i18n import LANGUAGES
from bot.storage.repos import reading, writing
from bot.web.security import CSRF_FIELD, CSRF_HEADER, same_token

TEMPLATES = Path(__file__).parent / "templates"
COOKIE = "desk_session"
# Writing "last seen" on every page view would make each view a write: once a minute is close enough.
TOUCH_EVERY = dt.timedelta(minutes=1)


@cache
def templates() -> Environment:
    """The desk's templates, one environment per process: it keeps each template compiled (compiling one took
    longer than rendering it) and knows nothing of an app, whose values are given at each rendering."""
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@dataclass
class Web:
    """The desk's share of the running bot."""

    app: App
    env: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.env = templates()

    @property
    def idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.app.settings.web_idle_minutes)

    @property
    def secure_cookies(self) -> bool:
        return self.app.settings.web_url.startswith("https://")

    def now(self) -> dt.datetime:
        return self.app.services.clock.now()

    def t(self, lang: str, key: str, **values: Any) -> str:
        return self.app.services.catalog.t(lang if lang in LANGUAGES else "vi", key, **values)

    def local(self, moment: dt.datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
        if moment is None:
            return ""
        return moment.astimezone(self.app.services.campaign.campaign.tz).strftime(fmt)

    def render(self, template_name: str, lang: str, status_code: int = 200, **values: Any) -> HTMLResponse:
        template = self.env.get_template(template_name)
        html = template.render(
            t=lambda key, **kw: self.t(lang, key, **kw),
            has=self.app.services.catalog.has,
            lang=lang,
            local=self.local,
            **values,
        )
        return HTMLResponse(html, status_code=status_code)

    def message(self, lang: str, key: str, status_code: int, desk: Desk | None = None, **values: Any) -> HTMLResponse:
        return self.render("message.html", lang, status_code, desk=desk, text_key=key, values=values)


@dataclass
class Desk:
    """A signed-in person on one request."""

    user: User
    roles: frozenset[Role]
    csrf: str
    token: str

    @property
    def lang(self) -> str:
        return self.user.lang if self.user.lang in LANGUAGES else "vi"

    def may(self, action: Action) -> bool:
        return allowed(self.roles, action)

    @property
    def actor(self) -> User:
        """The person as the audit log records them here: acting from the web desk."""
        return self.user.model_copy(update={"channel": "web"})


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


async def find_desk(request: Request) -> Desk | None:
    """The session the cookie names, if it is open and its person may still use the desk."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    web = web_of(request)
    now = web.now()
    db = web.app.db
    async with reading(db) as repos:
        session = await repos.web_auth.session(token, now, web.idle)
        if session is None:
            return None
        roles = roles_of(await grants_of_user(repos, web.app.services, session.user))
    if now - session.seen_at >= TOUCH_EVERY:
        async with writing(db) as repos:
            await repos.web_auth.touch(session.id, now)
    return Desk(user=session.user, roles=roles, csrf=session.csrf, token=token)


Endpoint = Callable[[Request, Desk], Awaitable[Response]]


def desk_page(action: Action) -> Callable[[Endpoint], Callable[[Request], Awaitable[Response]]]:
    """Guard an endpoint: signed in, still allowed the desk and `action` by the policy, and for anything but
    a read, the session's CSRF token in the form or the X-CSRF-Token header."""

    def wrap(endpoint: Endpoint) -> Callable[[Request], Awaitable[Response]]:
        @wraps(endpoint)
        async def guarded(request: Request) -> Response:
            web = web_of(request)
            desk = await find_desk(request)
            if desk is None:
                if request.method == "GET" and "hx-request" not in request.headers:
                    return RedirectResponse("/signin", status_code=303)
                return web.message("vi", "desk.signed_out", 401)
            if request.method not in ("GET", "HEAD"):
                given = request.headers.get(CSRF_HEADER)
                if given is None:
                    form = await request.form()
                    value = form.get(CSRF_FIELD)
                    given = value if isinstance(value, str) else None
                if not same_token(desk.csrf, given):
                    return web.message(desk.lang, "desk.csrf_failed", 403, desk)
            if not desk.may(Action.WEB_DESK) or not desk.may(action):
                return web.message(desk.lang, "desk.refused", 403, desk)
            return await endpoint(request, desk)

        return guarded

    return wrap
