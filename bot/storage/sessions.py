"""Each person's conversation, saved after every update. Drafts saved before the conversation's mode and
each step's work in progress had fields of their own, or with copies of rows among the answers, are read
into the fields they have now."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from pydantic import ValidationError

from bot.conversation.messages import Choice
from bot.conversation.session import Mode, Session
from bot.domain.users import User
from bot.storage.database import Connection, fetch_one
from bot.storage.timefmt import from_db, to_db
from bot.storage.users import user_from_row


class SessionRepo:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def load(self, user_id: int) -> Session:
        row = await fetch_one(self.conn, "SELECT state, updated_at FROM sessions WHERE user_id = ?", (user_id,))
        return Session() if row is None else _session(row["state"], row["updated_at"])

    async def of_person(self, channel: str, external_id: str) -> tuple[User, Session] | None:
        """A person the bot has met and their conversation, in one read: every update starts with both, and
        each read is a trip to the database."""
        row = await fetch_one(
            self.conn,
            "SELECT u.*, s.state AS session_state, s.updated_at AS session_updated_at FROM users u"
            " LEFT JOIN sessions s ON s.user_id = u.id WHERE u.channel = ? AND u.external_id = ?",
            (channel, external_id),
        )
        if row is None:
            return None
        state = row["session_state"]
        return user_from_row(row), Session() if state is None else _session(state, row["session_updated_at"])

    async def save(self, user_id: int, session: Session, now: dt.datetime) -> None:
        session.updated_at = now
        await self.conn.execute(
            "INSERT INTO sessions (user_id, state, updated_at) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
            (user_id, session.model_dump_json(exclude={"updated_at"}), to_db(now)),
        )

    async def offer_choices(self, user_id: int, choices: list[Choice], shown_at: dt.datetime, now: dt.datetime) -> bool:
        """Make the choices of a message the bot sent on its own (shown from `shown_at`) the ones "1" or a
        label picks, whatever the chat was at, a menu, a step or another card: a number answers the latest
        message with choices. Not when the chat got an answer since that message went out (the person typed
        /batdau while the card was on its way): that answer is the latest."""
        session = await self.load(user_id)
        if session.choices_at is not None and session.choices_at > shown_at:
            return False
        session.pending_choices = choices
        session.choices_at = shown_at
        await self.save(user_id, session, now)
        return True


# Where the mode lived: the step key of the summary, the cancel question and the stale question.
_OLD_MODES = {"_summary": Mode.SUMMARY, "_cancel": Mode.CONFIRM_CANCEL, "_stale": Mode.STALE}
# The work in progress of a step, kept among the answers: old key -> (step, new key).
_OLD_SCRATCH = {
    "_unit_matches": ("unit", "matches"),
    "_unit_name": ("unit", "name"),
    "_category_view": ("category", "view"),
    "_category_matches": ("category", "matches"),
}
# What a flow looked up for its steps, kept among the answers: old key -> new key in the facts.
_OLD_FACTS = {
    "_rep_units": "rep_units",
    "_units": "units",
    "_sent_by_unit": "sent_by_unit",
    "_basis": "basis",
    "_amends": "amends",
    "_recipients": "recipients",
}


def upgrade_old_draft(state: dict[str, Any]) -> dict[str, Any]:
    """A session saved in the shape before `mode`, `return_to`, `facts` and `scratch`, in today's shape: the
    draft goes on where it stood, with the answers it had. `history` (never read) is dropped."""
    state = dict(state)
    state.pop("history", None)
    data: dict[str, Any] = dict(state.get("data") or {})
    facts: dict[str, Any] = {}
    scratch: dict[str, dict[str, Any]] = {}
    step = state.get("step")
    returning = data.pop("_return", None)
    mode = _OLD_MODES.get(step) if isinstance(step, str) else None
    if mode is None:
        state["mode"] = Mode.ASKING
    elif mode is Mode.SUMMARY:
        state["mode"], state["step"] = Mode.SUMMARY, None
    else:
        state["mode"] = mode
        back = _OLD_MODES.get(returning) if isinstance(returning, str) else None
        if returning is None or back is Mode.SUMMARY:
            state["return_to"], state["step"] = Mode.SUMMARY, None
        else:
            state["return_to"], state["step"] = Mode.ASKING, returning
    for key in [k for k in data if k.startswith("_")]:
        if key in _OLD_SCRATCH:
            owner, name = _OLD_SCRATCH[key]
            scratch.setdefault(owner, {})[name] = data.pop(key)
        elif key in _OLD_FACTS:
            facts[_OLD_FACTS[key]] = data.pop(key)
        elif key == "_files":
            # The files kept so far belong to the files step being asked (evidence, or a report's files).
            kept = data.pop(key)
            if isinstance(state.get("step"), str):
                scratch.setdefault(state["step"], {})["kept"] = kept
        elif key.startswith("_ticked:"):
            scratch.setdefault(key.removeprefix("_ticked:"), {})["ticks"] = data.pop(key)
        # Other keys (the rows the answer, commend and decide conversations copied) are upgrade_copied_rows'.
    state["data"], state["facts"], state["scratch"] = data, facts, scratch
    return state


# The answers that hold copies of rows: a draft with none of them is left as it is by upgrade_copied_rows.
_COPIED_ROWS = ("_open", "_pickable", "_nomination", "nominee")


def upgrade_copied_rows(state: dict[str, Any]) -> dict[str, Any]:
    """A draft that kept copies of rows among its answers (the questions waiting, the proposals open, the
    nomination picked, the nominee of a review), with only their ids and references kept, in the facts or
    as the answer: the conversation reads the rows again and goes on where it stood."""
    data: dict[str, Any] = state.get("data") or {}
    conversation = state.get("conversation")
    if not any(key in data for key in _COPIED_ROWS):
        return state
    state, data = dict(state), dict(data)
    facts: dict[str, Any] = dict(state.get("facts") or {})
    if conversation == "answer" and "_open" in data:
        facts["questions"] = [row[0] for row in data.pop("_open")]
    elif conversation == "decide" and "_open" in data:
        facts["open"] = [row[0] for row in data.pop("_open")]
    elif conversation == "commend":
        if "_pickable" in data:
            facts["choose"] = bool(data.pop("_pickable"))
        picked = data.pop("_nomination", None)
        if isinstance(picked, dict) and picked.get("reference"):
            data["nomination"] = picked["reference"]
    elif conversation in ("review_reject", "review_ask"):
        data.pop("id", None)
        data.pop("nominee", None)
        for key in ("reference", "stage"):
            if key in data:
                facts[key] = data.pop(key)
    state["data"], state["facts"] = data, facts
    return state


# How a session this version saved begins (model_dump_json writes the fields in their order): with a mode, so
# no upgrade_old_draft. Anything else is read through the upgrades.
_TODAYS_SHAPE = re.compile(r'\{"conversation":(?:null|"[^"\\]*"),"mode":')


def _session(state_json: str, updated_at: str) -> Session:
    session = _todays_session(state_json)
    if session is None:
        state = json.loads(state_json)
        if "mode" not in state:
            state = upgrade_old_draft(state)
        session = Session.model_validate(upgrade_copied_rows(state))
    session.updated_at = from_db(updated_at)
    return session


def _todays_session(state_json: str) -> Session | None:
    """A session saved in today's shape, read by pydantic's parser in one pass (every update reads one); None
    for a draft the upgrades must see, or anything that parser refuses and Python's may read."""
    if _TODAYS_SHAPE.match(state_json) is None:
        return None
    try:
        session = Session.model_validate_json(state_json)
    except ValidationError:
        return None  # a lone surrogate, say: Python's parser reads it, pydantic's does not
    if any(key in session.data for key in _COPIED_ROWS):
        return None
    return session
