"""Signing in with the one-time link from the chat, and signing out.

GET shows the link's page and uses nothing (a messenger fetching a preview of the link must not use it up);
the button's POST uses the link and opens a new session, ending any the browser had (so a session id
planted before sign-in is worth nothing after it).
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.domain.policy import Action, allowed, roles_of
from bot.engine.context import grants_of_user
from bot.storage.repos import reading, writing
from bot.web.context import COOKIE, Desk, desk_page, find_desk, web_of
from bot.web.security import CSRF_FIELD, same_token

# Ties the button's POST to the browser that was shown the page: a page of another site cannot sign a
# visitor in as someone else with a link of its own.
PRE_COOKIE = "desk_signin"
SIGNED_IN = "web.signed_in"
SIGNED_OUT = "web.signed_out"


async def signin_help(request: Request) -> Response:
    web = web_of(request)
    if await find_desk(request) is not None:
        return RedirectResponse("/queue", status_code=303)
    return web.render("signin_help.html", "vi", desk=None)


async def signin_page(request: Request) -> Response:
    web = web_of(request)
    token = request.path_params["token"]
    async with reading(web.app.db) as repos:
        user = await repos.web_auth.link_user(token, web.now())
    if user is None:
        return web.message("vi", "desk.link.unusable", 410)
    pre = secrets.token_urlsafe(24)
    response = web.render("signin.html", user.lang, desk=None, pre=pre, token=token, name=user.display_name)
    response.set_cookie(
        PRE_COOKIE, pre, max_age=900, httponly=True, samesite="strict", secure=web.secure_cookies, path="/signin"
    )
    return response


async def signin(request: Request) -> Response:
    web = web_of(request)
    token = request.path_params["token"]
    form = await request.form()
    given = form.get(CSRF_FIELD)
    if not same_token(request.cookies.get(PRE_COOKIE, ""), given if isinstance(given, str) else None):
        return web.message("vi", "desk.csrf_failed", 403)
    now = web.now()
    services = web.app.services
    async with writing(web.app.db) as repos:
        repo = repos.web_auth
        user_id = await repo.use_link(token, now)
        user = await repos.users.by_id(user_id) if user_id is not None else None
        if user is None:
            return web.message("vi", "desk.link.unusable", 410)
        if not allowed(roles_of(await grants_of_user(repos, services, user)), Action.WEB_DESK):
            # The role was taken away after the link was sent.
            return web.message(user.lang, "desk.refused", 403)
        old = request.cookies.get(COOKIE)
        if old:
            await repo.end_session(old, now)
        session = await repo.start_session(user.id, now)
        await repos.audit.add(now, SIGNED_IN, actor=user.id, channel="web")
    response = RedirectResponse("/queue", status_code=303)
    response.set_cookie(
        COOKIE,
        session,
        httponly=True,
        samesite="lax",
        secure=web.secure_cookies,
        path="/",
    )
    response.delete_cookie(PRE_COOKIE, path="/signin")
    return response


@desk_page(Action.WEB_DESK)
async def signout(request: Request, desk: Desk) -> Response:
    web = web_of(request)
    now = web.now()
    async with writing(web.app.db) as repos:
        await repos.web_auth.end_session(desk.token, now)
        await repos.audit.add(now, SIGNED_OUT, actor=desk.user.id, channel="web")
    response = web.message(desk.lang, "desk.signed_out_done", 200)
    response.delete_cookie(COOKIE, path="/")
    return response
