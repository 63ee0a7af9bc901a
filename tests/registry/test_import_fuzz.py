"""Property and fuzz tests of the registry import parser (issue 8): whatever bytes, CSV or XLSX
contents and encodings an office uploads, the import never fails with an unhandled exception.
It either refuses the file with an ImportFileError (a message for the `file` field) or checks
every row and writes a report."""

import datetime
import io
import string

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from registry.choices import ImportStatus
from registry.errors import ImportFileError
from registry.services import imports
from tests.factories import UserFactory

from .test_import import HEADERS, good_row

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# What office spreadsheets hold: text (with the separators, quotes and odd characters of real
# files), numbers in every form, dates, empty cells.
cell_text = st.text(
    alphabet=st.sampled_from(string.printable + "éèüßñ’“”–—…\u00a0\u200bÆØ😀;\t\"'"),
    max_size=30,
)
cell_value = st.one_of(
    st.none(),
    cell_text,
    st.integers(min_value=-(10**17), max_value=10**17),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**12),
    st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 1, 1)),
    st.sampled_from(["Rp 1.500.000", "1,500,000", "3573054512850001", "P", "L", "Dinoyo"]),
)
header_row = st.lists(
    st.one_of(st.sampled_from(HEADERS), cell_text), min_size=0, max_size=len(HEADERS) + 3
)
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16", "ascii"]


@pytest.fixture
def staff(db):
    return UserFactory(role="office_staff")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _import(content: bytes, name: str, actor, encoding: str = ""):
    """The whole upload path: refused with a message, or a job with a report."""
    upload = SimpleUploadedFile(name, content)
    try:
        job = imports.import_start(upload=upload, actor=actor, dry_run=True, encoding=encoding)
    except ImportFileError as exc:
        assert exc.field_errors["file"]
        assert str(exc.message)
        return None
    assert job.status == ImportStatus.VALIDATED, job.error
    assert set(job.report) >= {"columns", "errors", "duplicates"}
    assert job.total_rows >= 1
    assert job.valid_rows + job.error_rows == job.total_rows
    return job


def _csv(rows: list[list], delimiter: str = ",") -> str:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()


def _xlsx(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@FUZZ
@given(content=st.binary(max_size=2048), name=st.sampled_from(["a.csv", "a.xlsx", "a.txt"]))
def test_random_bytes_are_refused_or_reported(staff, content, name):
    _import(content, name, staff)


@FUZZ
@given(
    content=st.binary(max_size=512),
    name=st.text(max_size=20),
)
def test_any_file_name_is_refused_or_reported(staff, content, name):
    _import(content, name or "x", staff)


@FUZZ
@given(
    headers=header_row,
    rows=st.lists(st.lists(cell_value, max_size=len(HEADERS) + 2), min_size=0, max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
    encoding=st.sampled_from(ENCODINGS),
    declared=st.sampled_from(["", "utf-8", "windows-1252"]),
)
def test_random_csv_in_any_encoding_is_refused_or_reported(
    staff, headers, rows, delimiter, encoding, declared
):
    text = _csv([headers, *rows], delimiter)
    content = text.encode(encoding, errors="replace")
    _import(content, "daftar.csv", staff, encoding=declared)


@FUZZ
@given(
    rows=st.lists(
        st.lists(cell_value, min_size=len(HEADERS), max_size=len(HEADERS)),
        min_size=1,
        max_size=5,
    ),
    titles=st.lists(st.lists(cell_text, max_size=3), max_size=3),
)
def test_random_rows_under_the_real_header_are_checked_and_reported(staff, rows, titles):
    """The real columns (with title rows above, as offices write them): every row is checked,
    valid or with its errors."""
    rows = [["Usaha Fuzz", *row[1:]] for row in rows]  # an empty row is skipped, not a row
    job = _import(_csv([*titles, HEADERS, *rows]).encode(), "daftar.csv", staff)
    assert job is not None
    assert job.total_rows == len(rows)


@FUZZ
@given(
    headers=header_row,
    rows=st.lists(
        st.lists(cell_value.filter(lambda v: not isinstance(v, float)), max_size=len(HEADERS)),
        max_size=5,
    ),
)
def test_random_xlsx_is_refused_or_reported(staff, headers, rows):
    _import(_xlsx([headers, *rows]), "daftar.xlsx", staff)


@FUZZ
@given(
    rows=st.lists(
        st.lists(cell_value.filter(lambda v: not isinstance(v, float)), max_size=len(HEADERS)),
        min_size=1,
        max_size=5,
    )
)
def test_random_xlsx_rows_under_the_real_header_are_reported(staff, rows):
    rows = [["Usaha Fuzz", *row[1:]] for row in rows]
    job = _import(_xlsx([HEADERS, *rows]), "daftar.xlsx", staff)
    assert job is not None


@FUZZ
@given(cut=st.integers(min_value=0, max_value=4000), flip=st.integers(min_value=0, max_value=255))
def test_truncated_or_corrupted_xlsx_is_refused_or_reported(staff, cut, flip):
    content = bytearray(_xlsx([HEADERS, good_row(1), good_row(2)]))
    if cut < len(content):
        content[cut] ^= flip
    _import(bytes(content[: max(cut, 1) * 3]), "daftar.xlsx", staff)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(value=cell_value)
def test_parse_money_returns_an_int_or_raises_value_error(value):
    try:
        result = imports.parse_money(value)
    except (ValueError, ArithmeticError):
        return
    assert result is None or isinstance(result, int)


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(value=cell_value)
def test_parse_number_returns_a_decimal_or_raises_what_the_row_check_catches(value):
    from decimal import Decimal, InvalidOperation

    try:
        result = imports.parse_number(value)
    except (ValueError, InvalidOperation, ArithmeticError):
        return
    assert result is None or isinstance(result, Decimal)
