"""Reading unit lists as they come: our own columns, or the official list of administrative units.

The national list (Quyết định 19/2025/QĐ-TTg, served by the statistics office's registry) names its columns
in Vietnamese ("Mã", "Tên", "Cấp", and the province's code and name); the web service behind it uses
"MaPhuongXa", "TenPhuongXa", "LoaiHinh". A file with those headers imports as it was downloaded: its
columns are read as ours, its level ("Xã", "Phường", "Đặc khu") becomes the unit's kind, and the columns
that describe the province are ignored. Lines starting with "#" before the header are a file's notes
(source, licence) and are skipped.
"""

from __future__ import annotations

import csv
import io

from bot.domain.text import fold

# Folded official header → our column.
_ALIASES = {
    "ma": "code",
    "ma px": "code",
    "ma phuong xa": "code",
    "ma xa": "code",
    "maphuongxa": "code",
    "ten": "name",
    "phuong xa": "name",
    "ten phuong xa": "name",
    "tenphuongxa": "name",
    "ten don vi": "name",
    "cap": "kind",
    "loaihinh": "kind",
    "loai hinh": "kind",
}
# Columns of the official list that describe where a commune is, not the commune: read and dropped.
_IGNORED = {
    "ma tp",
    "ma tinh",
    "matinh",
    "tinh thanh pho",
    "tinh / thanh pho",
    "tinh/thanh pho",
    "tinh/tp",
    "tentinh",
    "ten tinh",
    "ten tieng anh",
    "ma qh",
    "quan huyen",
    "maquanhuyen",
    "tenquanhuyen",
    "ghi chu",
}
# The official level names → the kinds this project's units use.
_KINDS = {"xa": "commune", "phuong": "ward", "dac khu": "special_zone", "thi tran": "township"}


def strip_notes(text: str) -> tuple[str, int]:
    """The text without the "#" lines before its header, and how many lines were dropped (so errors can
    still name the file's own row numbers)."""
    lines = text.lstrip("\ufeff").splitlines(keepends=True)
    skipped = 0
    while skipped < len(lines) and (lines[skipped].lstrip().startswith("#") or not lines[skipped].strip()):
        skipped += 1
    return "".join(lines[skipped:]), skipped


def column_for(header: str) -> str | None:
    """Our column for a header of the file: itself, the official alias's meaning, or None to ignore."""
    key = fold(header).replace("_", " ").strip()
    if key in _ALIASES:
        return _ALIASES[key]
    if key in _IGNORED:
        return None
    return header.strip()


def is_official(headers: list[str]) -> bool:
    return any(fold(h).replace("_", " ").strip() in _ALIASES for h in headers)


def kind_for(value: str) -> str:
    """An official level name as our kind ("Xã" → commune); anything else is kept as written."""
    return _KINDS.get(fold(value).strip(), value.strip())


def read_rows(text: str) -> list[tuple[int, dict[str, str]]]:
    """Each data row with the file's row number, under our column names (official headers translated,
    official levels read as kinds, ignored columns dropped, empty values left out)."""
    body, skipped = strip_notes(text)
    reader = csv.reader(io.StringIO(body))
    raw_header = next(reader, [])
    official = is_official(raw_header)
    header = [column_for(h) for h in raw_header]
    rows: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(reader, start=skipped + 2):
        if not any(v.strip() for v in values):
            continue
        row = {name: value.strip() for name, value in zip(header, values, strict=False) if name and value.strip()}
        if official and "kind" in row:
            row["kind"] = kind_for(row["kind"])
        rows.append((number, row))
    return rows
