"""Replies as Zalo messages. Zalo's Bot API has no buttons and no documents, so what it cannot carry is said
in words: choices become a numbered list ("2" or the label picks one), the share-contact button becomes
"type your number", a step that takes files says that photos are what Zalo can send."""

from __future__ import annotations

from dataclasses import dataclass

from bot.channels.zalo.sizes import MESSAGE
from bot.conversation.messages import OutgoingFile, Reply
from bot.domain.evidence import JPEG, PNG
from bot.i18n import Catalog


@dataclass(frozen=True)
class TextMessage:
    text: str


@dataclass(frozen=True)
class PhotoMessage:
    url: str
    caption: str | None = None


Outgoing = TextMessage | PhotoMessage


def is_image(file: OutgoingFile) -> bool:
    return file.as_photo or file.mime in (JPEG, PNG)


def needs_words(reply: Reply) -> bool:
    """Whether rendering adds catalog text, so the user's language must be known."""
    return (
        bool(reply.choices)
        or reply.request_contact
        or reply.accepts_files
        or reply.file is not None
        or bool(reply.album)
    )


def render(
    reply: Reply,
    catalog: Catalog,
    lang: str,
    photo_url: str | None = None,
    album_urls: tuple[str | None, ...] = (),
) -> list[Outgoing]:
    """The messages for one reply, in order. `photo_url` is where Zalo can fetch the reply's image, if the
    reply has one and it was published; `album_urls` the same for each file of its album. Zalo has no
    albums and no documents: the album's pictures go one by one after the text, and the other files are
    named in a note."""
    lines = [reply.text]
    # A refresh (a tick) changes the choices of the list above, whose numbers still hold: not listed again.
    listed = reply.choices if not reply.refresh else ()
    if listed:
        lines.append("")
        lines += [f"{number}. {choice.label}" for number, choice in enumerate(listed, start=1)]
    notes: list[str] = []
    if listed:
        notes.append(catalog.t(lang, "zalo.choices_hint"))
    if reply.request_contact:
        notes.append(catalog.t(lang, "zalo.type_phone"))
    if reply.accepts_files:
        notes.append(catalog.t(lang, "zalo.photos_only"))
    photo = None
    if reply.file is not None:
        if photo_url is not None and is_image(reply.file):
            photo = photo_url
        else:
            notes.append(catalog.t(lang, "zalo.file_elsewhere", name=reply.file.filename))
    pictures: list[Outgoing] = []
    elsewhere: list[str] = []
    for position, file in enumerate(reply.album):
        url = album_urls[position] if position < len(album_urls) else None
        if url is not None and is_image(file):
            pictures.append(PhotoMessage(url))
        else:
            elsewhere.append(file.filename)
    if elsewhere:
        notes.append(catalog.t(lang, "zalo.files_elsewhere", count=len(elsewhere), names=", ".join(elsewhere)))
    if notes:
        lines += ["", *notes]
    # A caption holds what a message does.
    pieces = MESSAGE.split("\n".join(lines).strip("\n"))
    if photo is None:
        return [*(TextMessage(piece) for piece in pieces), *pictures]
    if len(pieces) <= 1:
        return [PhotoMessage(photo, pieces[0] if pieces else None), *pictures]
    return [PhotoMessage(photo), *(TextMessage(piece) for piece in pieces), *pictures]
