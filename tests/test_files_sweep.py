"""Files follow their rows: what a killed process staged for an update it never committed, half-written
.part files and a cancelled draft's uploads are removed at start-up; what a row or a live draft refers to,
and anything being staged right now, stays."""

from __future__ import annotations

import os
import time
from pathlib import Path

from bot.app import App, sweep_staged_files
from bot.clock import FixedClock
from bot.conversation.session import Session
from bot.storage.files import FileRepo
from bot.storage.sessions import SessionRepo
from bot.storage.users import UserRepo

PNG = b"\x89PNG\r\n\x1a\n"


def aged(path: Path, hours: float = 2) -> Path:
    then = time.time() - hours * 3600
    os.utime(path, (then, then))
    return path


async def test_what_nothing_refers_to_is_swept_and_the_rest_stays(app: App, clock: FixedClock) -> None:
    store = app.services.files
    submitted = store.put(PNG + b"submitted", "image/png", "a.png")
    in_draft = store.put(PNG + b"in a draft", "image/png", "b.png")
    orphan = store.put(PNG + b"staged, never committed", "image/png", "c.png")
    fresh = store.put(PNG + b"being staged now", "image/png", "d.png")
    for evidence in (submitted, in_draft, orphan):
        aged(store.path_for(evidence.sha256, evidence.mime))
    half = store.path_for(orphan.sha256, orphan.mime).with_name("half-written.123-ab.part")
    half.write_bytes(b"\x89PN")
    aged(half)
    async with app.db.transaction() as conn:
        await FileRepo(conn, store).record(submitted, clock.now())
        user = await UserRepo(conn).get_or_create("zalo", "u1", "u1", "Lan", "vi", clock.now())
        draft = Session(conversation="nominate", step="files", data={"files": [in_draft.model_dump()]})
        await SessionRepo(conn).save(user.id, draft, clock.now())

    assert await sweep_staged_files(app) == 2
    exists = {
        name: store.path_for(e.sha256, e.mime).exists()
        for name, e in {"submitted": submitted, "in_draft": in_draft, "orphan": orphan, "fresh": fresh}.items()
    }
    assert exists == {"submitted": True, "in_draft": True, "orphan": False, "fresh": True}
    assert not half.exists()

    # The draft is cancelled: its upload goes with it (the next sweep, once past the staging grace).
    async with app.db.transaction() as conn:
        await SessionRepo(conn).save(user.id, Session(), clock.now())
    assert await sweep_staged_files(app) == 1
    assert not store.path_for(in_draft.sha256, in_draft.mime).exists()


async def test_the_same_bytes_staged_again_are_fresh_again(app: App) -> None:
    store = app.services.files
    first = store.put(PNG + b"again", "image/png", "a.png")
    path = aged(store.path_for(first.sha256, first.mime))
    store.put(PNG + b"again", "image/png", "a.png")  # sent once more, after a cancel
    assert await sweep_staged_files(app) == 0 and path.exists()
