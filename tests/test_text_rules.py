from __future__ import annotations

import pytest

from bot.domain.evidence import DOCX, JPEG, PDF, PNG, sniff
from bot.domain.text import fold, is_plausible_name, normalize_vn_mobile


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "+84912345678"),
        ("0912 345 678", "+84912345678"),
        ("+84 912.345.678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("(038) 765-4321", "+84387654321"),
        ("0212345678", None),  # a landline prefix
        ("091234567", None),
        ("+1 912 345 678", None),
        ("số của tôi", None),
        ("", None),
    ],
)
def test_vietnamese_mobile_numbers(raw: str, expected: str | None) -> None:
    assert normalize_vn_mobile(raw) == expected


def test_fold_ignores_diacritics_case_and_spacing() -> None:
    assert fold("  Tháp   MƯỜI ") == "thap muoi"
    assert fold("Đồng Tháp") == "dong thap"


@pytest.mark.parametrize(
    ("name", "ok"),
    [
        ("Nguyễn Văn An", True),
        ("Trường THCS số 2", True),
        ("李小龍", True),
        ("😀😀", False),
        ("12345", False),
    ],
)
def test_names(name: str, ok: bool) -> None:
    assert is_plausible_name(name) is ok


def test_types_come_from_the_bytes() -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
    assert sniff(buffer.getvalue()) == DOCX
    assert sniff(b"%PDF-1.7 ...") == PDF
    assert sniff(b"\xff\xd8\xff\xe0 jfif") == JPEG
    assert sniff(b"\x89PNG\r\n\x1a\n....") == PNG
    assert sniff(b"PK\x03\x04 not really a zip") is None
    assert sniff(b"MZ executable") is None


def test_file_size_limits_read_as_people_read_them() -> None:
    from bot.handlers.files_step import megabytes

    assert [megabytes(10 * 1024 * 1024), megabytes(512 * 1024), megabytes(1536 * 1024)] == ["10", "0.5", "1.5"]
