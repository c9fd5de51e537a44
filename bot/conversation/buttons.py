"""What a button carries back when pressed, typed: one model per kind of button, packed as
"prefix:field:field" (as aiogram's CallbackData) within the 64 bytes Telegram keeps.

A field that is None is "-", or left out at the end where it has a default, so "rv:view:12" is a review
button without a stage. The last field takes the rest of the value, colons included. The packed forms are the
ones the bot has always sent, so buttons left in people's chats still decode."""

from __future__ import annotations

import types
from typing import Any, ClassVar, Self, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

# Telegram's callback_data limit, in bytes of UTF-8; the tightest of the messengers.
LIMIT = 64
SEP = ":"
NONE = "-"


def _optional(annotation: Any) -> bool:
    return get_origin(annotation) in (Union, types.UnionType) and type(None) in get_args(annotation)


def _packed(value: object) -> str:
    if value is None:
        return NONE
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


class Button(BaseModel):
    model_config = ConfigDict(frozen=True)

    prefix: ClassVar[str]

    def _parts(self) -> list[str]:
        fields = list(type(self).model_fields.items())
        values = [getattr(self, name) for name, _ in fields]
        # Trailing fields that may be left out (they have a default) and are None are not sent.
        while values and values[-1] is None and not fields[len(values) - 1][1].is_required():
            values.pop()
        return [_packed(v) for v in values]

    def pack(self) -> str:
        packed = SEP.join([self.prefix, *self._parts()])
        if len(packed.encode()) > LIMIT:
            raise ValueError(f"button value over {LIMIT} bytes: {packed!r}")
        return packed

    @classmethod
    def _from_parts(cls, parts: list[str]) -> Self | None:
        fields = list(cls.model_fields.items())
        if len(parts) > len(fields):
            return None
        values: dict[str, Any] = {}
        for (name, info), part in zip(fields, parts, strict=False):
            values[name] = None if part == NONE and _optional(info.annotation) else part
        try:
            return cls.model_validate(values)
        except ValidationError:
            return None

    @classmethod
    def unpack(cls, raw: str) -> Self | None:
        """The button `raw` packs, or None if it is not one of this kind (or not one at all)."""
        prefix, sep, rest = raw.partition(SEP)
        if not sep or prefix != cls.prefix:
            return None
        return cls._from_parts(rest.split(SEP, len(cls.model_fields) - 1))


class MenuButton(Button):
    """A command from the menu, as if typed: "menu:report"."""

    prefix = "menu"
    command: str


class LangButton(Button):
    """The language picked: "lang:en"."""

    prefix = "lang"
    lang: str


class QueueButton(Button):
    """A page of the review queue: "q:10:pending:-"."""

    prefix = "q"
    offset: int
    status: str | None
    group: str | None


class SplitButton(Button):
    """Which successor takes over a split unit: "split:<old code>:<new code>"."""

    prefix = "split"
    old: str
    new: str


class ReviewButton(Button):
    """A reviewer's button on a nomination (or, for "answer", a question): the verb, what it is about, the
    stage it was made for, and for an approval whether it also goes to the media column."""

    prefix = "rv"
    verb: str
    subject: int
    stage: str | None = None
    publish: bool | None = None


class FlowButton(Button):
    """A choice in a conversation: the flow's name in place of a prefix, the step (or "_summary",
    "_cancel", "_stale"), and the value picked: "nominate:kind:individual"."""

    prefix = ""
    flow: str
    step: str
    value: str

    @field_validator("flow", "step")
    @classmethod
    def _no_separator(cls, name: str) -> str:
        if not name or SEP in name:
            raise ValueError("a flow's name and a step key with buttons hold no colon")
        return name

    def pack(self) -> str:
        packed = SEP.join(self._parts())
        if len(packed.encode()) > LIMIT:
            raise ValueError(f"button value over {LIMIT} bytes: {packed!r}")
        return packed

    @classmethod
    def packed(cls, flow: str, step: str, value: str) -> str:
        """`FlowButton(flow=flow, step=step, value=value).pack()`, without making the model where the fields
        are plainly valid: a conversation packs one for each choice it offers, on every update."""
        if (
            type(flow) is str
            and type(step) is str
            and type(value) is str
            and flow
            and step
            and SEP not in flow
            and SEP not in step
        ):
            packed = f"{flow}{SEP}{step}{SEP}{value}"
            # A character is at most 4 bytes of UTF-8: only a long value needs encoding to be measured.
            if len(packed) * 4 <= LIMIT or len(packed.encode()) <= LIMIT:
                return packed
        return cls(flow=flow, step=step, value=value).pack()  # raises what is wrong

    @classmethod
    def unpack(cls, raw: str) -> Self | None:
        parts = raw.split(SEP, 2)
        return cls._from_parts(parts) if len(parts) == 3 else None

    @staticmethod
    def value_in(raw: str, flow: str, step: str) -> str | None:
        """The value `raw` carries if it is a button of this flow's `step`, as `unpack` would read it; None for
        anything else. Without making the model: a conversation reads one on every press."""
        parts = raw.split(SEP, 2)
        if len(parts) == 3 and flow and step and parts[0] == flow and parts[1] == step:
            return parts[2]
        return None


KINDS: tuple[type[Button], ...] = (MenuButton, LangButton, QueueButton, SplitButton, ReviewButton)


def kind_of(raw: str) -> type[Button]:
    """The kind of button `raw` claims to be by its prefix, whether or not its fields still decode (an old
    or forged value is answered by its kind's handler); a conversation's choice if no other kind claims it."""
    prefix, sep, _ = raw.partition(SEP)
    return next((k for k in KINDS if sep and k.prefix == prefix), FlowButton)


def decode(raw: str) -> Button | None:
    """The button `raw` packs, of whichever kind, or None if it does not decode as the kind it claims."""
    return kind_of(raw).unpack(raw)
