"""The table `make bench` prints at the end: every figure the benches recorded (bench/common.py `record`),
its goal and whether it holds. Reads the JSON lines file named on the command line; a bench that failed is
named after its figures."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

MARKS: dict[bool | None, str] = {True: "yes", False: "NO", None: "-"}


def table(lines: list[dict[str, Any]]) -> list[str]:
    header = ("bench", "figure", "value", "goal", "holds")
    rows = [
        (str(f["bench"]), str(f["name"]), str(f["figure"]), str(f["goal"] or "-"), MARKS[f["holds"]]) for f in lines
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    out = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in [header]]
    out.append("  ".join("-" * width for width in widths))
    out += ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    return out


def main() -> None:
    path = Path(sys.argv[1])
    failed = sys.argv[2:]
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    print()
    print("Summary of this run's figures against their goals")
    if lines:
        print("\n".join(table(lines)))
    else:
        print("  (no figures recorded)")
    missed = [f for f in lines if f["holds"] is False]
    print(f"{sum(f['holds'] is True for f in lines)} goals hold, {len(missed)} missed, {len(lines)} figures in all")
    for script in failed:
        print(f"FAILED: {script} (its figures are missing above)")


if __name__ == "__main__":
    main()
