"""Three XLSX writers on the same cells, in alternating rounds, medians: openpyxl's write-only mode (what the
export used), XlsxWriter's constant-memory mode, and rustpy-xlsxwriter (Rust, when installed). Each writes one
sheet of nomination-like rows (text, a date-time, an integer, a long deed) with a bold header, a frozen header
row, column widths and real dates; the peak of Python's own allocations is printed beside (the Rust writer's
memory is outside Python's reach; it pulls its records from a generator, as the export feeds it)."""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import record, report  # noqa: E402

ROWS = 20_000
ROUNDS = 3
HEADERS = ["Mã", "Gửi lúc", "Tình trạng", "Người được đề cử", "Đơn vị", "Việc tốt", "Minh chứng", "Ghi chú"]
DEED = "Chị đã tổ chức lớp học tình thương miễn phí cho trẻ em nghèo trong ấp suốt ba năm liền."


def rows() -> list[list[object]]:
    start = dt.datetime(2026, 1, 1, 8, 0)
    return [
        [
            f"DC-2026-{i:06d}",
            start + dt.timedelta(minutes=i),
            "Đã gửi",
            f"Nguyễn Văn {i}",
            "Huyện Tháp Mười",
            DEED,
            i % 5,
            "=1+1" if i % 1000 == 0 else None,
        ]
        for i in range(ROWS)
    ]


def with_openpyxl(data: list[list[object]], path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Đề cử")
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for title in HEADERS:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in data:
        out: list[object] = []
        for value in row:
            if isinstance(value, dt.datetime):
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "dd/mm/yyyy hh:mm"
                out.append(cell)
            elif isinstance(value, str) and value.startswith("="):
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                out.append(cell)
            else:
                out.append(value)
        sheet.append(out)
    book.save(path)


def with_xlsxwriter(data: list[list[object]], path: Path) -> None:
    xlsxwriter = importlib.import_module("xlsxwriter")
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False})
    sheet = book.add_worksheet("Đề cử")
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    sheet.freeze_panes(1, 0)
    for col, title in enumerate(HEADERS):
        sheet.set_column(col, col, 20)
        sheet.write_string(0, col, title, bold)
    for r, row in enumerate(data, start=1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.datetime):
                sheet.write_datetime(r, c, value, when)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            else:
                sheet.write_number(r, c, value)
    book.close()


def with_rust(data: list[list[object]], path: Path) -> None:
    rustpy_xlsxwriter = importlib.import_module("rustpy_xlsxwriter")
    records = (dict(zip(HEADERS, row, strict=True)) for row in data)
    rustpy_xlsxwriter.write_worksheet(
        records, str(path), sheet_name="Đề cử", freeze_row=1, bold_headers=True, datetime_format="dd/mm/yyyy hh:mm"
    )


Writer = Callable[[list[list[object]], Path], None]


def timed(write: Writer, data: list[list[object]], folder: Path) -> float:
    started = time.process_time()
    write(data, folder / f"{write.__name__}.xlsx")
    return time.process_time() - started


def peak(write: Writer, data: list[list[object]], folder: Path) -> int:
    """Python's own peak allocation while writing (traced apart: tracing slows Python writers)."""
    tracemalloc.start()
    write(data, folder / f"{write.__name__}.xlsx")
    found = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return found


def main() -> None:
    data = rows()
    optional = {"xlsxwriter": with_xlsxwriter, "rustpy_xlsxwriter": with_rust}
    writers: list[Writer] = [with_openpyxl]
    writers += [write for module, write in optional.items() if importlib.util.find_spec(module) is not None]
    times: dict[str, list[float]] = {w.__name__: [] for w in writers}
    peaks: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as name:
        for _ in range(ROUNDS):
            for write in writers:
                times[write.__name__].append(timed(write, data, Path(name)))
        for write in writers:
            peaks[write.__name__] = peak(write, data[: ROWS // 4], Path(name))
    base = statistics.median(times["with_openpyxl"])
    cells = ROWS * len(HEADERS)
    rows_out = []
    for name, t in times.items():
        median = statistics.median(t)
        record(f"{name.removeprefix('with_')}, per cell", median / cells * 1e6, "µs")
        rows_out.append(
            (
                name.removeprefix("with_"),
                f"{median:.2f} s ({median / cells * 1e6:.2f} µs/cell, x{base / median:.1f} of openpyxl;"
                f" Python peak {peaks[name] / 1e6:.1f} MB for a quarter of the rows)",
            )
        )
    report(
        f"XLSX writers: {ROWS:,} rows x {len(HEADERS)} columns, {ROUNDS} alternating rounds, CPU medians",
        rows_out,
    )


if __name__ == "__main__":
    main()
