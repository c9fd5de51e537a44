"""How much text one message holds, and cutting a longer text into such messages between lines.

Each messenger states its own size and how it counts (see the channels); what is here knows none of them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

# A length measure. Cutting assumes it adds up: the length of two texts joined is the sum of their lengths
# (true of characters and of UTF-16 code units alike).
Measure = Callable[[str], int]


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts it: a character outside the BMP (most emoji) takes two."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class MessageSize:
    """What one message may hold: `limit` as counted by `measure` (characters unless said otherwise)."""

    limit: int
    measure: Measure = field(default=len)

    def fits(self, text: str) -> bool:
        return self.measure(text) <= self.limit

    def split(self, text: str) -> list[str]:
        return split_message(text, self.limit, self.measure)


def split_message(text: str, limit: int, measure: Measure = utf16_length) -> list[str]:
    """Messages of at most `limit`, never breaking a line that fits in one. Sections (runs of lines between
    blank lines) are kept together when they fit in a message of their own; only a single line longer than
    the limit is cut, at the last space before the limit. A text that fits is one message, as it is; a blank
    one is none."""
    if measure(text) <= limit:
        return [text] if text.strip() else []
    messages: list[str] = []
    current: list[str] = []
    # The size of "\n".join(current), kept as lines are added rather than measured again each time.
    used = 0

    def flush() -> None:
        nonlocal used
        while current and not current[-1].strip():
            current.pop()
        if current:
            messages.append("\n".join(current))
        current.clear()
        used = 0

    def add(line: str, size: int) -> None:
        nonlocal used
        used = used + 1 + size if current else size
        current.append(line)

    for section in _sections(text):
        sizes = [measure(line) for line in section]
        whole = sum(sizes) + len(sizes) - 1
        if current and used + 2 + whole > limit and whole <= limit:
            flush()
        pairs = list(zip(section, sizes, strict=True))
        for line, size in pairs if not current else [("", 0), *pairs]:
            for piece, piece_size in _cut(line, size, limit, measure):
                if current and used + 1 + piece_size > limit:
                    flush()
                if current or piece.strip():
                    add(piece, piece_size)
    flush()
    return messages


def _sections(text: str) -> list[list[str]]:
    sections: list[list[str]] = [[]]
    for line in text.split("\n"):
        if line.strip():
            sections[-1].append(line)
        elif sections[-1]:
            sections.append([])
    return [s for s in sections if s]


def _cut(line: str, size: int, limit: int, measure: Measure) -> list[tuple[str, int]]:
    """The line in pieces of at most `limit`, each with its size, cut at the last space that allows it (or
    hard, if there is none)."""
    pieces: list[tuple[str, int]] = []
    while size > limit:
        end = _longest_prefix(line, limit, measure)
        space = line.rfind(" ", 0, end + 1)
        cut = space if space > 0 else end
        piece = line[:cut].rstrip()
        pieces.append((piece, measure(piece)))
        line = line[cut:].lstrip()
        size = measure(line)
    pieces.append((line, size))
    return pieces


def _longest_prefix(line: str, limit: int, measure: Measure) -> int:
    """How many characters of `line` fit in `limit` (at least one, so that cutting always moves on), never
    parting a letter from its marks (Vietnamese typed with combining accents) or an emoji sequence."""
    low, high = 1, min(len(line), limit)
    while low < high:
        middle = (low + high + 1) // 2
        if measure(line[:middle]) <= limit:
            low = middle
        else:
            high = middle - 1
    while 1 < low < len(line) and (_joins_previous(line[low]) or line[low - 1] == ZWJ):
        low -= 1
    return low


ZWJ = "\u200d"


def _joins_previous(char: str) -> bool:
    """A mark, a variation selector, a skin tone or a joiner: part of the character before it."""
    return unicodedata.combining(char) != 0 or char in (ZWJ, "\ufe0e", "\ufe0f") or "\U0001f3fb" <= char <= "\U0001f3ff"
