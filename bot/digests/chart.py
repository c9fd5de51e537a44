"""The weekly digest's chart: per cluster/block, units that sent on time, sent late, or have not sent, as
stacked bars, one panel per open reporting period. Drawn with matplotlib's Agg canvas (no display), in a
child process: matplotlib takes about 31 MB once loaded, which would otherwise stay in the bot for good, and
the event loop keeps serving people meanwhile."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from pydantic import BaseModel

from bot.domain.standing import PeriodStanding

# Green, amber, grey: readable on a phone and for the common colour blindnesses.
COLOURS = ("#2e7d32", "#f9a825", "#b0b0b0")
MAX_PANELS = 4
# The drawing child process finds this very package first, wherever the bot was started from.
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])


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


async def render(spec: ChartSpec, path: Path) -> Path:
    """Draw the chart in a child process (`python -m bot.digests.chart PATH`, the spec as JSON on its
    standard input) and return the path once the PNG is there."""
    search = os.pathsep.join(p for p in (_PACKAGE_ROOT, os.environ.get("PYTHONPATH")) if p)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.digests.chart",
        str(path),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": search},
    )
    _, errors = await child.communicate(spec.model_dump_json().encode())
    if child.returncode != 0:
        raise ChartFailed(f"the chart could not be drawn (exit {child.returncode}): {errors.decode()[-2000:]}")
    return path


def main() -> None:
    draw(ChartSpec.model_validate_json(sys.stdin.buffer.read()), Path(sys.argv[1]))


if __name__ == "__main__":
    main()
