"""The engine: one Incoming in, Replies out, with the session loaded and saved in one transaction."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Protocol

from bot.conversation.messages import Attachment, Incoming, Kind, Reply
from bot.conversation.numbers import whole_number
from bot.conversation.session import Session
from bot.domain.evidence import sniff
from bot.domain.policy import roles_of
from bot.domain.text import fold
from bot.domain.users import User
from bot.engine.context import Context, RejectedFile, Services, StagedFile, grants_of_user
from bot.engine.outcome import Event, LanguageChanged, Outcome, RolesChanged
from bot.i18n import DEFAULT_LANGUAGE
from bot.storage.database import Block, Connection, Database
from bot.storage.inbox import Claim, InboxRepo, KeptClaim
from bot.storage.replies import RepliesRepo
from bot.storage.repos import Repos
from bot.storage.sessions import SessionRepo
from bot.storage.updates import ProcessedUpdates
from bot.storage.users import UserRepo, up_to_date

log = logging.getLogger(__name__)


class FileFetcher(Protocol):
    """The channel's way to download a file the user sent."""

    async def fetch(self, attachment: Attachment, max_bytes: int) -> bytes: ...


class FileTooLarge(Exception):
    pass


class Router(Protocol):
    async def route(self, ctx: Context) -> None: ...

    def accepts_files(self, session: Session, services: Services) -> bool: ...


class Engine:
    def __init__(self, db: Database, services: Services, router: Router) -> None:
        self.db = db
        self.services = services
        self.router = router

    async def answer(
        self,
        incoming: Incoming,
        fetcher: FileFetcher | None = None,
        *,
        inbox_id: int | None = None,
        claim: Claim | None = None,
    ) -> Outcome:
        """Handle one update. Everything it changes is committed before the replies are returned, so
        the caller only tells the user what is already safe. An update kept in the inbox (`inbox_id`) is
        marked handled in the same transaction, and one not yet kept (`claim`) is kept there; one that fails
        is marked (or kept) handled too, so it is not tried again."""
        if claim is None and inbox_id is not None:
            claim = KeptClaim(inbox_id)
        try:
            return await self._handle(incoming, fetcher, claim)
        except Exception:
            log.exception("failed to handle an update from %s user %s", incoming.channel, incoming.user_id)
            await self._give_up(claim)
            lang = await self._lang_of(incoming)
            return Outcome([Reply(text=self.services.catalog.t(lang, "errors.internal"))], lang)

    async def handle(
        self, incoming: Incoming, fetcher: FileFetcher | None = None, *, inbox_id: int | None = None
    ) -> list[Reply]:
        """The replies alone, for a caller that adds nothing of its own around them (see `answer`)."""
        return (await self.answer(incoming, fetcher, inbox_id=inbox_id)).replies

    async def language_of(self, channel: str, user_id: str) -> str:
        """A person's language as stored (the default for someone the bot has not met)."""
        async with self.db.reading(quick=True) as conn:
            user = await UserRepo(conn).get(channel, user_id)
        return user.lang if user else DEFAULT_LANGUAGE

    async def _handle(self, incoming: Incoming, fetcher: FileFetcher | None, claim: Claim | None) -> Outcome:
        if incoming.attachments and await self._seen(incoming, claim):
            # Only worth a separate look when a redelivery would otherwise download files again.
            return Outcome([], None)
        staged = await self._stage_files(incoming, fetcher)
        now = self.services.clock.now()
        async with self._handling(claim) as conn:
            if not await _claim(conn, incoming, claim, now):
                return Outcome([], None)
            repos = Repos(conn, self.services.files)
            sessions = repos.sessions
            found = await sessions.of_person(incoming.channel, incoming.user_id)
            if found is not None and up_to_date(found[0], incoming.chat_id, incoming.display_name):
                user, session = found
            else:
                user = await repos.users.get_or_create(
                    incoming.channel,
                    incoming.user_id,
                    incoming.chat_id,
                    incoming.display_name,
                    DEFAULT_LANGUAGE,
                    now,
                )
                session = await sessions.load(user.id)
            ctx = Context(
                incoming=_resolve_choice(incoming, session),
                user=user,
                session=session,
                repos=repos,
                services=self.services,
                staged=staged,
            )
            await self.router.route(ctx)
            if not ctx.replies and not ctx.after_commit:
                # Every message gets an answer; a handler that forgot one is a bug, not a silence.
                ctx.say(ctx.t("errors.not_understood"))
            offered = [reply for reply in ctx.replies if reply.choices]
            # The answer is the chat's latest message: a number now answers its choices, or none.
            session.pending_choices = list(offered[-1].choices) if offered else []
            session.choices_at = now
            events = _events(user, ctx.user, roles_changed=repos.roles_changed(user.id))
            # Read afresh: the handler may have changed them after it first asked.
            roles = roles_of(await grants_of_user(repos, self.services, ctx.user)) if events else None
            await sessions.save(user.id, session, now)
            if claim is not None and claim.id is not None and not ctx.after_commit:
                # Kept with the update: a process stopped before they are sent still sends them.
                replies = coalesce(ctx.replies)
                await repos.replies.add(claim.id, incoming.chat_id, replies, now)
                return Outcome(replies, ctx.user.lang, events, roles)
        return Outcome(await self._after_commit(ctx, claim), ctx.user.lang, events, roles)

    def _handling(self, claim: Claim | None) -> _Handling:
        """The update's transaction; once it has committed (not when it is rolled back), the claim hears so:
        before any slow work after the commit, since a messenger may be waiting to hear the update arrived."""
        return _Handling(self.db.transaction(quick=True), claim)

    async def _after_commit(self, ctx: Context, claim: Claim | None) -> list[Reply]:
        """The slow work of an update, after its commit; its replies are kept in a transaction of their own."""
        incoming = ctx.incoming
        for work in ctx.after_commit:
            try:
                await work()
            except Exception:
                log.exception("work after the update from %s user %s failed", incoming.channel, incoming.user_id)
                ctx.say(ctx.t("errors.internal"))
        if not ctx.replies:
            ctx.say(ctx.t("errors.not_understood"))
        replies = coalesce(ctx.replies)
        if claim is not None and claim.id is not None:
            async with self.db.transaction(quick=True) as conn:
                await RepliesRepo(conn).add(claim.id, incoming.chat_id, replies, self.services.clock.now())
        return replies

    async def _seen(self, incoming: Incoming, claim: Claim | None) -> bool:
        async with self.db.reading(quick=True) as conn:
            if isinstance(claim, KeptClaim):
                return await InboxRepo(conn).is_handled(claim.row_id)
            key = incoming.update_key
            return key is not None and await ProcessedUpdates(conn).seen(incoming.channel, key)

    async def _give_up(self, claim: Claim | None) -> None:
        if claim is None:
            return
        try:
            async with self.db.transaction(quick=True) as conn:
                await claim.give_up(conn, self.services.clock.now())
        except Exception:
            log.exception("could not mark a failed update handled")
            return
        claim.settled()

    async def _stage_files(self, incoming: Incoming, fetcher: FileFetcher | None) -> list[StagedFile]:
        """Download and keep the files before the write transaction, so a slow download blocks no one."""
        if not incoming.attachments or fetcher is None:
            return []
        async with self.db.reading(quick=True) as conn:
            user = await UserRepo(conn).get(incoming.channel, incoming.user_id)
            session = await SessionRepo(conn).load(user.id) if user else Session()
        if not self.router.accepts_files(session, self.services):
            return []
        staged: list[StagedFile] = []
        limit = self.services.max_file_bytes
        for attachment in incoming.attachments:
            if attachment.size is not None and attachment.size > limit:
                staged.append(RejectedFile(attachment.name, "too_big"))
                continue
            try:
                data = await fetcher.fetch(attachment, limit)
            except FileTooLarge:
                staged.append(RejectedFile(attachment.name, "too_big"))
                continue
            except OSError as exc:
                # A path that is not there (the terminal's /file) or a file that cannot be read: the person
                # is told kindly, and the log gets one line, not a traceback in the middle of a chat.
                log.warning("download of %s failed: %s", attachment.ref, exc)
                staged.append(RejectedFile(attachment.name, "download_failed"))
                continue
            except Exception:
                log.warning("download of %s failed", attachment.ref, exc_info=True)
                staged.append(RejectedFile(attachment.name, "download_failed"))
                continue
            if len(data) > limit:
                staged.append(RejectedFile(attachment.name, "too_big"))
                continue
            mime = sniff(data)
            if mime is None:
                staged.append(RejectedFile(attachment.name, "wrong_type"))
                continue
            staged.append(self.services.files.put(data, mime, attachment.name))
        return staged

    async def _lang_of(self, incoming: Incoming) -> str:
        try:
            return await self.language_of(incoming.channel, incoming.user_id)
        except Exception:
            return DEFAULT_LANGUAGE


class _Handling:
    """`Engine._handling` as a class rather than a generator around the transaction: one layer of a
    generator's machinery fewer on every update."""

    __slots__ = ("_claim", "_transaction")

    def __init__(self, transaction: Block, claim: Claim | None) -> None:
        self._transaction = transaction
        self._claim = claim

    async def __aenter__(self) -> Connection:
        return await self._transaction.__aenter__()

    async def __aexit__(self, exc_type: Any, exc: Any, traceback: Any, /) -> bool:
        # Commits (or rolls back) and lets an exception go on, as `async with` around it would.
        if await self._transaction.__aexit__(exc_type, exc, traceback):
            return True
        if exc_type is None and self._claim is not None:
            self._claim.settled()
        return False


async def _claim(conn: Connection, incoming: Incoming, claim: Claim | None, now: dt.datetime) -> bool:
    """Take the update for handling in this transaction; False if it was handled before."""
    if claim is not None:
        return await claim.take(conn, now)
    key = incoming.update_key
    return key is None or await ProcessedUpdates(conn).claim(incoming.channel, key, now)


def _events(before: User, after: User, *, roles_changed: bool) -> tuple[Event, ...]:
    """What the update changed about the person that a channel shows outside the replies."""
    events: list[Event] = []
    if after.lang != before.lang:
        events.append(LanguageChanged(before.lang, after.lang))
    if roles_changed:
        events.append(RolesChanged())
    return tuple(events)


def coalesce(replies: list[Reply]) -> list[Reply]:
    """Fold a plain note ("that was a sticker") into the message after it: one bubble on the phone instead
    of two, and one message fewer against the messenger's rate limits."""
    merged: list[Reply] = []
    for reply in replies:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and not previous.choices
            and not previous.request_contact
            and not previous.keep_separate
            and previous.file is None
            and not previous.album
            and reply.file is None
            and not reply.album
        ):
            merged[-1] = reply.model_copy(update={"text": f"{previous.text}\n\n{reply.text}"})
        else:
            merged.append(reply)
    return merged


def _resolve_choice(incoming: Incoming, session: Session) -> Incoming:
    """Typed "2", or a choice's label typed out, picks that choice of the last prompt."""
    if incoming.kind is not Kind.TEXT or not incoming.text or not session.pending_choices:
        return incoming
    text = incoming.text.strip().rstrip(".)")
    choices = session.pending_choices
    number = whole_number(text, max_digits=3)
    if number is not None and 1 <= number <= len(choices):
        picked = choices[number - 1]
    else:
        folded = _label_key(incoming.text)
        matches = [c for c in choices if folded and _label_key(c.label) == folded]
        if len(matches) != 1:
            return incoming
        picked = matches[0]
    return incoming.model_copy(update={"kind": Kind.CHOICE, "choice": picked.value, "text": picked.label})


def _label_key(text: str) -> str:
    """A label as typed on a phone: no emoji or punctuation, no diacritics, any case."""
    return " ".join("".join(ch if ch.isalnum() else " " for ch in fold(text)).split())
