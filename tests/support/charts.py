"""Each distinct chart drawn once per test run, by the real drawing process, and copied where asked after.

Drawing a weekly chart costs matplotlib about half a second of CPU, and the suite's digest tests asked for
the same few charts over and over (the same data on the same fixed clock): they test what is done with a
chart, not how it is drawn, which the first drawing of each and bot.digests.chart's own tests cover."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.digests.chart import ChartSpec

Render = Callable[[ChartSpec, Path], Awaitable[Path]]


def drawn_once(render: Render, folder: Path) -> Render:
    """`render`, except that a spec drawn before (in `folder`, which xdist's workers share) is copied."""

    async def render_or_copy(spec: ChartSpec, path: Path) -> Path:
        key = hashlib.sha256(spec.model_dump_json().encode()).hexdigest()[:32]
        drawn = folder / f"{key}.png"
        if not drawn.exists():
            # Drawn where asked, as the bot would, then kept: a worker drawing the same chart at the same
            # moment only replaces one complete file with another.
            await render(spec, path)
            part = folder / f"{key}.{os.getpid()}.part"
            shutil.copyfile(path, part)
            os.replace(part, drawn)
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part")
        shutil.copyfile(drawn, part)
        os.replace(part, path)  # as draw() does: a reader never sees half a file
        return path

    return render_or_copy
