"""The import reads XLSX with python-calamine and gives the checks the same rows openpyxl gave
(the reader before it, still the fallback): row numbers, whole numbers as int, dates as
datetimes, empty rows skipped."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from registry.errors import ImportFileError
from registry.services import imports


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


CELLS = [
    ["DATA IKM KOTA MALANG 2025"],
    [],
    ["Nama Usaha", "NIK", "No. HP", "Tahun Berdiri", "Nilai Investasi", "Lintang", "Tanggal"],
    ["Keripik", 3573054512850001, 81234567890, 2015, 1.5e8, -7.9666, datetime.date(2020, 1, 2)],
    [None, None, None, None, None, None, None],
    [
        "Roti",
        "3573054512850001",
        "0812",
        2015.0,
        Decimal("12.50"),
        0,
        datetime.datetime(2021, 3, 4, 5, 6),
    ],
    ["Tas", True, False, 10**17, -3, 1e300, datetime.time(3, 4)],
    ["  "],  # calamine reads a cell of spaces as empty (openpyxl kept the spaces)
]


def test_calamine_gives_the_rows_openpyxl_gives():
    content = workbook(CELLS)
    calamine = imports._xlsx_rows_calamine(io.BytesIO(content))
    assert calamine == imports._xlsx_rows_openpyxl(io.BytesIO(content))[:-1]
    assert [number for number, _cells in calamine] == [1, 3, 4, 6, 7]
    assert calamine[2][1][1:5] == [3573054512850001, 81234567890, 2015, 150_000_000]


def test_the_template_is_read_by_calamine_as_by_openpyxl():
    content = imports.template_workbook()
    calamine = imports._xlsx_rows_calamine(io.BytesIO(content))
    assert calamine == imports._xlsx_rows_openpyxl(io.BytesIO(content))
    assert calamine[0][1][0] == imports.COLUMNS[0].header


@pytest.mark.parametrize("content", [b"PK\x03\x04garbage", b"", b"PK\x05\x06" + b"\x00" * 18])
def test_a_broken_workbook_is_refused_with_a_message(content):
    with pytest.raises(ImportFileError) as exc:
        imports.read_sheet(io.BytesIO(content), file_format="xlsx")
    assert exc.value.field_errors["file"]
