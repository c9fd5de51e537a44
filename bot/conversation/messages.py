"""What a channel hands to the engine (Incoming) and what the engine hands back (Reply)."""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from bot.conversation.text import clean_text

# Short texts repeat (a choice's label, a catalog's text, a unit's name, read back with every session): each is
# cleaned once. Long ones, mostly typed once, are not kept.
_REPEATED_MAX = 160


@lru_cache(maxsize=2048)
def _clean_repeated(text: str) -> str:
    return clean_text(text)


def _cleaned(value: str | None) -> str | None:
    """Text from outside, cleaned as the model is made: every channel gets it without doing anything.

    It runs after pydantic has checked the type (mode="after"), so it sees only a str or None: a validator
    run before costs about 0.4 µs more a field, paid for every choice of every session and reply read back.
    """
    if value is None:
        return None
    return _clean_repeated(value) if len(value) <= _REPEATED_MAX else clean_text(value)


class Kind(StrEnum):
    TEXT = "text"
    COMMAND = "command"
    CHOICE = "choice"
    FILE = "file"
    CONTACT = "contact"
    LOCATION = "location"
    STICKER = "sticker"
    VOICE = "voice"
    UNSUPPORTED = "unsupported"


class Attachment(BaseModel):
    """A file the user sent, not yet downloaded. `ref` is the channel's own handle for it."""

    model_config = ConfigDict(frozen=True)

    ref: str
    name: str | None = None
    mime: str | None = None
    size: int | None = None

    _clean = field_validator("name", "mime", mode="after")(_cleaned)


class Incoming(BaseModel):
    """One thing a user did, in any messenger."""

    model_config = ConfigDict(frozen=True)

    channel: str
    user_id: str
    chat_id: str
    kind: Kind
    display_name: str | None = None
    text: str | None = None
    command: str | None = None
    args: str = ""
    choice: str | None = None
    attachments: tuple[Attachment, ...] = ()
    contact_phone: str | None = None
    contact_is_own: bool = True
    # The channel's unique id of this update; the same key twice is handled once.
    update_key: str | None = None
    language_hint: str | None = None

    # Cleaned once here, at the door, for every messenger: NFC, no control characters but line breaks and tabs,
    # no lone surrogates (see bot.conversation.text).
    _clean = field_validator(
        "display_name", "text", "command", "args", "choice", "contact_phone", "language_hint", mode="after"
    )(_cleaned)


class Choice(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str
    value: str

    _clean = field_validator("label", mode="after")(_cleaned)


class OutgoingFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: Path
    filename: str
    mime: str
    as_photo: bool = False


class Reply(BaseModel):
    """One message to show the user. Choices are laid out `columns` per row where buttons exist."""

    model_config = ConfigDict(frozen=True)

    text: str
    choices: tuple[Choice, ...] = ()
    columns: int = 1
    request_contact: bool = False
    request_contact_label: str | None = None
    # The step asked here takes files: a channel that cannot carry every kind (Zalo: photos only) says so.
    accepts_files: bool = False
    file: OutgoingFile | None = None
    # Files shown together, after the text: an album where the messenger has one, one by one otherwise.
    album: tuple[OutgoingFile, ...] = ()
    # These choices are those of the chat's latest message with choices, some changed (a tick): a messenger
    # with buttons changes that message's buttons in place and needs show nothing else; one with a numbered
    # list shows only the text, since the list above still holds (its numbers are unchanged).
    refresh: bool = False
    # Not folded into the next message: e.g. the note that takes a contact keyboard away on Telegram.
    keep_separate: bool = False

    # Incoming text is cleaned at the door; this catches what was stored before that, or came from a file.
    _clean = field_validator("text", mode="after")(_cleaned)
