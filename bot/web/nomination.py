"""One nomination on the desk: everything sent, the evidence, the history, the duplicate beside it, and
the decisions, each the chat's own operation (bot.handlers.review_decisions)."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from bot.domain.nomination import NominationStatus
from bot.domain.policy import Action
from bot.domain.review import REASON_MAX, Decision, ReviewState, needs_nominee_consent, stage
from bot.domain.text import normalize_text
from bot.handlers import review_decisions as decisions
from bot.handlers.review_card import actions, parse
from bot.storage.repos import reading, writing
from bot.storage.review import Outcome
from bot.storage.web_desk import StoredFile
from bot.web.context import Desk, Web, desk_page, web_of

# Pictures a browser shows as they are; anything else (PDF, DOCX, an SVG that could carry script) is a
# download.
INLINE = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif"})
WORDS_MIN = 3


def offered(web: Web, desk: Desk, state: ReviewState) -> set[str]:
    """What can be done with the nomination now: the same as the chat's buttons for it."""
    return {press.verb for c in actions(web.app.services, desk.lang, state) if (press := parse(c.value))}


async def _page(
    request: Request, desk: Desk, reference: str, *, error: str | None = None, status: int = 200, words: str = ""
) -> Response:
    web = web_of(request)
    async with reading(web.app.db) as repos:
        repo = repos.review
        state = await repo.state(reference)
        if state is None:
            return web.message(desk.lang, "desk.nomination.not_found", 404, desk)
        duplicate = await repo.state(state.duplicate_of) if state.duplicate_of else None
        files = await repos.web_desk.evidence(state.nomination.id)
        duplicate_files = await repos.web_desk.evidence(duplicate.nomination.id) if duplicate else []
        questions = await repo.questions_of(state.nomination.id)
        answers = {q.id: await repo.answer_file_paths(q.id) for q in questions if q.files}
        lines = await repos.web_desk.history(reference)
        codes = {state.nomination.unit_code} | ({duplicate.nomination.unit_code} if duplicate else set())
        names = await repos.web_desk.unit_names(codes)
    campaign = web.app.services.campaign
    category = campaign.category(state.nomination.category_code)
    return web.render(
        "nomination.html",
        desk.lang,
        status,
        desk=desk,
        state=state,
        n=state.nomination,
        stage=stage(state.status),
        offered=offered(web, desk, state),
        contacts=desk.may(Action.SEE_CONTACTS),
        duplicate=duplicate,
        files=files,
        duplicate_files=duplicate_files,
        questions=questions,
        answers=answers,
        history=lines,
        names=names,
        category=category.name.get(desk.lang) if category else state.nomination.category_code,
        inline=INLINE,
        error=error,
        words=words,
        done=request.query_params.get("done", ""),
        lost=request.query_params.get("lost") == "1",
        needs_consent=needs_nominee_consent(state.nomination),
    )


@desk_page(Action.REVIEW)
async def nomination_page(request: Request, desk: Desk) -> Response:
    return await _page(request, desk, request.path_params["reference"])


def _after(reference: str, outcome: Outcome | None, done: str) -> Response:
    if outcome is not None and not outcome.won:
        return RedirectResponse(f"/n/{reference}?lost=1", status_code=303)
    return RedirectResponse(f"/n/{reference}?done={done}", status_code=303)


@desk_page(Action.REVIEW)
async def act(request: Request, desk: Desk) -> Response:
    """One of the decisions, by the verb in the address; the stage the page was shown at comes with it, so a
    decision made on a page that is out of date loses to the one made since, as in the chat."""
    web = web_of(request)
    reference = request.path_params["reference"]
    verb = request.path_params["verb"]
    form = await request.form()
    at = str(form.get("stage", ""))
    words = normalize_text(str(form.get("words", "")))
    now = web.now()
    services = web.app.services
    if verb in ("ask", "reject") and not WORDS_MIN <= len(words) <= REASON_MAX:
        key = "desk.words.too_short" if len(words) < WORDS_MIN else "desk.words.too_long"
        error = web.t(desk.lang, key, min=WORDS_MIN, max=REASON_MAX, length=len(words))
        return await _page(request, desk, reference, error=error, status=400, words=words[:REASON_MAX])
    async with writing(web.app.db) as repos:
        repo = repos.review
        state = await repo.state(reference)
        if state is None:
            return web.message(desk.lang, "desk.nomination.not_found", 404, desk)
        outcome: Outcome | None
        if verb == "approve":
            outcome = await decisions.decide(
                repos,
                services,
                reference,
                Decision.APPROVE,
                desk.actor,
                now,
                expected_stage=at,
                for_publication=form.get("publication") == "1",
            )
        elif verb in ("ask", "reject"):
            decision = Decision.ASK if verb == "ask" else Decision.REJECT
            outcome = await decisions.decide(
                repos, services, reference, decision, desk.actor, now, expected_stage=at, words=words
            )
        elif verb == "merge":
            if state.duplicate_of is None:
                return RedirectResponse(f"/n/{reference}?lost=1", status_code=303)
            outcome = await decisions.merge(
                repos, services, reference, state.duplicate_of, desk.actor, now, expected_stage=at
            )
        elif verb == "publish":
            if not state.publishable or state.status is not NominationStatus.APPROVED:
                return RedirectResponse(f"/n/{reference}?lost=1", status_code=303)
            outcome = await decisions.decide(
                repos, services, reference, Decision.PUBLISH, desk.actor, now, expected_stage=at
            )
        elif verb == "mark":
            if state.status is not NominationStatus.APPROVED:
                return RedirectResponse(f"/n/{reference}?lost=1", status_code=303)
            await repo.mark_for_publication(reference, desk.actor, now)
            outcome = None
        elif verb == "consent":
            if not needs_nominee_consent(state.nomination):
                return RedirectResponse(f"/n/{reference}", status_code=303)
            await repo.record_consent(reference, desk.actor, now)
            outcome = None
        else:
            return web.message(desk.lang, "desk.nomination.not_found", 404, desk)
    return _after(reference, outcome, verb)


def _send(stored: StoredFile | None, web: Web, desk: Desk) -> Response:
    if stored is None or not Path(stored.path).is_file():
        return web.message(desk.lang, "desk.file.missing", 404, desk)
    name = stored.original_name or Path(stored.path).name
    inline = stored.mime in INLINE
    return FileResponse(
        stored.path,
        media_type=stored.mime if inline else "application/octet-stream",
        filename=name,
        content_disposition_type="inline" if inline else "attachment",
        headers={"Content-Security-Policy": "default-src 'none'; sandbox", "Cache-Control": "private, no-store"},
    )


@desk_page(Action.REVIEW)
async def evidence_route(request: Request, desk: Desk) -> Response:
    """A file of a nomination, by its place in the nomination: only through here, only to the desk."""
    web = web_of(request)
    async with reading(web.app.db) as repos:
        state = await repos.review.state(request.path_params["reference"])
        stored = (
            await repos.web_desk.evidence_file(state.nomination.id, request.path_params["position"]) if state else None
        )
    return _send(stored, web, desk)


@desk_page(Action.REVIEW)
async def answer_route(request: Request, desk: Desk) -> Response:
    web = web_of(request)
    async with reading(web.app.db) as repos:
        state = await repos.review.state(request.path_params["reference"])
        stored = (
            await repos.web_desk.answer_file(
                state.nomination.id, request.path_params["question"], request.path_params["position"]
            )
            if state
            else None
        )
    return _send(stored, web, desk)
