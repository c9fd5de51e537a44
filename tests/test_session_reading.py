"""A saved session is read by pydantic's JSON parser when it is in today's shape, and through Python's parser
and the upgrades otherwise: either way it reads as the upgrades and Python's parser read it."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

import tests.support.hypothesis_profiles  # noqa: F401  (the suite's settings)
from bot.conversation.messages import Choice
from bot.conversation.session import Mode, Session
from bot.storage.sessions import _session, upgrade_copied_rows, upgrade_old_draft

UPDATED_AT = "2026-03-01T08:00:00.000000Z"


def _read_as_before(state_json: str) -> Session | type[BaseException]:
    """How every session was read before: Python's parser, the upgrades, then the model."""
    try:
        state = json.loads(state_json)
        if "mode" not in state:
            state = upgrade_old_draft(state)
        return Session.model_validate(upgrade_copied_rows(state))
    except ValueError as exc:  # pydantic's ValidationError is one
        return type(exc)


def _read(state_json: str) -> Session | type[BaseException]:
    try:
        session = _session(state_json, UPDATED_AT)
    except ValueError as exc:
        return type(exc)
    assert session.updated_at is not None
    session.updated_at = None
    return session


# Words, keys the upgrades look for, quotes and backslashes, and (not in a session pydantic writes, which
# cannot hold one) lone surrogates, which Python's parser reads and pydantic's does not.
_WORDS = st.sampled_from(
    ["nominate", "report", "mode", "_open", "_pickable", "_nomination", "nominee", "_unit_matches"]
)
_TEXT = st.one_of(_WORDS, st.text(st.sampled_from('ab"\\:ắ\ud800🎉 \n'), max_size=12))
_WRITABLE = st.one_of(_WORDS, st.text(st.sampled_from('ab"\\:ắ🎉 \n'), max_size=12))


def _json(text: st.SearchStrategy[str]) -> st.SearchStrategy[Any]:
    return st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(text, inner, max_size=3)),
        max_leaves=12,
    )


_JSON, _WRITABLE_JSON = _json(_TEXT), _json(_WRITABLE)
_SESSIONS = st.builds(
    Session,
    conversation=st.one_of(st.none(), _WRITABLE),
    mode=st.sampled_from(Mode),
    step=st.one_of(st.none(), _WRITABLE),
    data=st.dictionaries(_WRITABLE, _WRITABLE_JSON, max_size=4),
    facts=st.dictionaries(_WRITABLE, _WRITABLE_JSON, max_size=2),
    scratch=st.dictionaries(_WRITABLE, st.dictionaries(_WRITABLE, _WRITABLE_JSON, max_size=2), max_size=2),
    pending_choices=st.lists(st.builds(Choice, label=_WRITABLE, value=_WRITABLE), max_size=3),
)


@given(_SESSIONS)
def test_a_session_saved_today_reads_as_before(session: Session) -> None:
    saved = session.model_dump_json(exclude={"updated_at"})
    assert _read(saved) == _read_as_before(saved)


@given(st.dictionaries(_TEXT, _JSON, max_size=6), st.booleans())
def test_any_other_state_reads_as_before(state: dict[str, Any], compact: bool) -> None:
    """Old drafts (no mode, copied rows among the answers), whatever json.dumps wrote, and what is no session."""
    separators = (",", ":") if compact else None
    saved = json.dumps(state, ensure_ascii=False, separators=separators)
    assert _read(saved) == _read_as_before(saved)


def test_a_draft_with_copied_rows_and_a_mode_is_still_upgraded() -> None:
    saved = Session(conversation="commend", data={"_pickable": True, "_nomination": {"reference": "NTVT-1"}})
    read = _read(saved.model_dump_json(exclude={"updated_at"}))
    assert isinstance(read, Session)
    assert read.data == {"nomination": "NTVT-1"} and read.facts == {"choose": True}


def test_a_session_of_today_that_only_pythons_parser_reads_reads_as_before() -> None:
    state = {"conversation": "nominate", "mode": "asking", "step": "name", "data": {"name": "Ba\ud800"}}
    saved = json.dumps(state, ensure_ascii=True, separators=(",", ":"))
    read = _read(saved)
    assert read == _read_as_before(saved)
    assert isinstance(read, Session) and read.data == {"name": "Ba\ud800"}
