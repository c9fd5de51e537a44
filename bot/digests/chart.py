"""The weekly digest's chart: per cluster/block, units that sent on time, sent late, or have not sent, as
stacked bars, one panel per open reporting period. Drawn with matplotlib's Agg canvas (no display), in a
child process: matplotlib takes about 31 MB once loaded, which would otherwise stay in the bot for good, and
the event loop keeps serving people meanwhile."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import sys
import traceback
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from pydantic import BaseModel

from bot.domain.standing import PeriodStanding

# Green, amber, grey: readable on a phone and for the common colour blindnesses.
COLOURS = ("#2e7d32", "#f9a825", "#b0b0b0")
MAX_PANELS = 4


class Panel(BaseModel):
    title: str
    groups: list[str]
    on_time: list[int]
    late: list[int]
    missing: list[int]


class ChartSpec(BaseModel):
    """Everything drawn, already in the reader's language."""

    title: str
    legend: tuple[str, str, str]
    axis: str
    panels: list[Panel]


def panel(title: str, found: PeriodStanding, group_name: dict[str, str]) -> Panel:
    return Panel(
        title=title,
        groups=[group_name.get(g.group, g.group) for g in found.groups],
        on_time=[g.on_time for g in found.groups],
        late=[g.late for g in found.groups],
        missing=[len(g.missing) for g in found.groups],
    )


def draw(spec: ChartSpec, path: Path) -> Path:
    """Write the PNG at `path` (atomically: a reader never sees half a file) and return the path."""
    # Imported here: matplotlib takes a noticeable moment and memory to load, and only the drawing child
    # process needs it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    panels = spec.panels[:MAX_PANELS]
    rows = sum(max(1, len(p.groups)) for p in panels)
    figure = Figure(figsize=(9, 1.6 + 0.45 * rows + 0.9 * len(panels)), dpi=110)
    FigureCanvasAgg(figure)
    heights = [max(1, len(p.groups)) + 1 for p in panels]
    axes_list = figure.subplots(len(panels), 1, squeeze=False, gridspec_kw={"height_ratios": heights})
    for axes, item in zip((row[0] for row in axes_list), panels, strict=True):
        positions = list(range(len(item.groups)))
        left = [0] * len(item.groups)
        for values, colour, label in zip((item.on_time, item.late, item.missing), COLOURS, spec.legend, strict=True):
            bars = axes.barh(positions, values, left=left, color=colour, label=label, height=0.6)
            axes.bar_label(bars, labels=[str(v) if v else "" for v in values], label_type="center", fontsize=8)
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.set_yticks(positions, item.groups, fontsize=9)
        axes.invert_yaxis()  # the campaign's first cluster on top
        axes.set_title(item.title, fontsize=10, loc="left")
        axes.set_xlabel(spec.axis, fontsize=8)
        axes.xaxis.get_major_locator().set_params(integer=True)
        axes.spines[["top", "right"]].set_visible(False)
    figure.suptitle(spec.title, fontsize=12, x=0.01, ha="left")
    handles, labels = axes_list[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncols=3, fontsize=9, frameon=False)
    figure.tight_layout(rect=(0, 0.05, 1, 0.97))
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_suffix(".part")
    figure.savefig(temp, format="png")
    os.replace(temp, path)
    return path


class ChartFailed(RuntimeError):
    pass


# Each chart is drawn in a process forked from a fork server that has imported matplotlib once: a fresh
# `python -m` child spent about 1.5 s of CPU importing it for every chart. The server is the bot's child, so
# matplotlib's memory still stays out of the bot, and each drawing process exits when its chart is written.
_DRAWING = multiprocessing.get_context("forkserver")
_PRELOAD = ["matplotlib.figure", "matplotlib.backends.backend_agg", __name__]


def _draw_in_child(spec_json: str, path: str, errors: Connection) -> None:
    try:
        draw(ChartSpec.model_validate_json(spec_json), Path(path))
    except BaseException:
        errors.send(traceback.format_exc()[-2000:])
        raise SystemExit(1) from None


async def render(spec: ChartSpec, path: Path) -> Path:
    """Draw the chart in a child process and return the path once the PNG is there."""
    _DRAWING.set_forkserver_preload(_PRELOAD)
    receiving, sending = _DRAWING.Pipe(duplex=False)
    child = _DRAWING.Process(target=_draw_in_child, args=(spec.model_dump_json(), str(path), sending), daemon=True)
    try:
        # In a thread: the first start waits for the fork server to import matplotlib.
        await asyncio.to_thread(child.start)
        sending.close()
        await _ended(child)
        if child.exitcode != 0:
            told = receiving.recv() if receiving.poll() else ""
            raise ChartFailed(f"the chart could not be drawn (exit {child.exitcode}): {told}")
    finally:
        if child.is_alive():  # cancelled while drawing: the chart is not wanted any more
            child.kill()
        receiving.close()
    return path


async def _ended(child: BaseProcess) -> None:
    """Wait for the child without a thread: its sentinel becomes readable when it ends."""
    loop = asyncio.get_running_loop()
    ended: asyncio.Future[None] = loop.create_future()

    def done() -> None:
        if not ended.done():
            ended.set_result(None)

    loop.add_reader(child.sentinel, done)
    try:
        await ended
    finally:
        loop.remove_reader(child.sentinel)
    child.join()


def main() -> None:
    """`python -m bot.digests.chart PATH` draws the JSON spec on standard input, for trying a chart by hand."""
    draw(ChartSpec.model_validate_json(sys.stdin.buffer.read()), Path(sys.argv[1]))


if __name__ == "__main__":
    main()
