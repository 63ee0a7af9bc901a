"""Importing the office's spreadsheets (XLSX or CSV in UTF-8 or Windows-1252).

1. ``import_start`` stores the file and checks it (a dry run): errors per row and column, and
   the duplicates found. Nothing is written to the register.
2. ``import_confirm`` imports: every valid row (the others are skipped), or — in
   all-or-nothing mode — everything only when no row has an error.
Files with more rows than ``conf.import_background_rows()`` run as a Celery task; the job row
carries the progress (processed_rows / total_rows). The report stays on the job.

Each row is checked by the API's serializer (one rule for pages, API and import), after the
office's words are mapped to the API's values (kelurahan names, "L"/"P", "Rp 1.500.000" …).
"""

import contextlib
import csv
import datetime
import functools
import gc
import io
import json
import queue
import re
import threading
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.fields import SkipField, empty, get_error_detail
from rest_framework.serializers import as_serializer_error

from ikm_portal.core.crypto import encrypt_text, keyed_hash
from ikm_portal.core.models import ActivityLog
from ikm_portal.core.uploads import sniff_format, validate_upload

from .. import conf
from ..choices import (
    VILLAGE_LEVELS,
    CertificationKind,
    DuplicateKind,
    EnterpriseStatus,
    Gender,
    HistorySource,
    ImportMode,
    ImportStatus,
    LegalForm,
    MarketingReach,
    RegistrationSource,
)
from ..errors import ImportFileError
from ..models import (
    EDITABLE_FIELDS,
    Certification,
    DuplicateFlag,
    Enterprise,
    FieldChange,
    ImportJob,
    Kbli,
    Product,
    Region,
    Sentra,
    product_names_of,
)
from ..validators import gender_from_nik
from .derive import DERIVED_FIELDS, enterprise_derive, name_key
from .duplicates import (
    NameIndex,
    duplicate_message,
    similar_names_bulk,
    trigram_similarity,
)

RUNNING = {ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.IMPORTING}
CHUNK = 200
PROGRESS_EVERY = 2000  # rows between two progress updates of the job row
MAX_REPORTED_ERRORS = 20_000


def _with_gc_off(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with _without_gc():
            return func(*args, **kwargs)

    return wrapper


@contextlib.contextmanager
def _without_gc():
    """An import makes millions of small objects that live until it ends and form no cycles;
    the cyclic collector would walk them again at every full collection (~15% of a check of
    30,000 rows). It is off meanwhile and back on after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Column:
    header: str  # the template's header (Indonesian, as the office writes it)
    key: str  # an API field name, or a pseudo-field of the import
    help: str
    aliases: tuple[str, ...] = ()
    required: bool = False
    example: str = ""


COLUMNS: tuple[Column, ...] = (
    Column(
        "Nama Usaha",
        "name",
        gettext_lazy("Business name."),
        ("nama ikm", "nama perusahaan"),
        True,
        "Keripik Tempe Sanan Jaya",
    ),
    Column(
        "Merek",
        "brand",
        gettext_lazy("Brand, if any."),
        ("merk", "merek dagang"),
        False,
        "Sanan Jaya",
    ),
    Column(
        "Nama Pemilik",
        "owner_name",
        gettext_lazy("Owner's full name."),
        ("pemilik", "nama pengusaha", "nama pelaku usaha"),
        True,
        "Siti Aminah",
    ),
    Column(
        "NIK",
        "owner_nik",
        gettext_lazy(
            "Owner's NIK, 16 digits. Format the column as Text: Excel keeps only 15 digits of a number."
        ),
        ("nik pemilik", "no ktp", "nomor ktp"),
        False,
        "3573054512850001",
    ),
    Column(
        "Jenis Kelamin",
        "owner_gender",
        gettext_lazy("L or P (Laki-laki / Perempuan). Empty: read from the NIK."),
        ("jk", "gender", "l/p"),
        False,
        "P",
    ),
    Column(
        "No. HP",
        "phone",
        gettext_lazy("Mobile number: 08…, 628… or +628…"),
        ("hp", "no hp", "nomor hp", "telepon", "telp", "no telp", "whatsapp", "wa", "no wa"),
        False,
        "081234567890",
    ),
    Column(
        "Email", "email", gettext_lazy("E-mail address, if any."), ("e-mail", "surel"), False, ""
    ),
    Column(
        "NIB",
        "nib",
        gettext_lazy("NIB from OSS, 13 digits, if any."),
        ("nomor induk berusaha", "no nib"),
        False,
        "9120001234567",
    ),
    Column("NPWP", "npwp", gettext_lazy("NPWP, 15 or 16 digits, if any."), ("no npwp",), False, ""),
    Column(
        "Bentuk Usaha",
        "legal_form",
        gettext_lazy("Perorangan, UD, CV, PT, PT Perorangan, Koperasi or Lainnya."),
        ("badan usaha", "bentuk badan usaha", "badan hukum"),
        False,
        "UD",
    ),
    Column(
        "Tahun Berdiri",
        "year_established",
        gettext_lazy("Year the business started, e.g. 2015."),
        ("tahun mulai usaha", "tahun", "berdiri"),
        False,
        "2015",
    ),
    Column(
        "Sentra",
        "sentra",
        gettext_lazy("Name of a sentra on the office's list, if any."),
        ("nama sentra",),
        False,
        "",
    ),
    Column(
        "Alamat",
        "address",
        gettext_lazy("Street address of the business."),
        ("alamat usaha", "alamat lengkap"),
        True,
        "Jl. Sanan No. 12",
    ),
    Column("RT/RW", "rt_rw", gettext_lazy("E.g. 003/005."), ("rt rw", "rtrw"), False, "003/005"),
    Column(
        "Kelurahan",
        "kelurahan",
        gettext_lazy("Kelurahan name (e.g. Purwantoro) or Kemendagri code (35.73.01.1007)."),
        ("desa", "kelurahan/desa", "desa/kelurahan", "kode kelurahan"),
        True,
        "Purwantoro",
    ),
    Column(
        "Kecamatan",
        "_kecamatan",
        gettext_lazy("Kecamatan name; checked against the kelurahan."),
        ("kec",),
        False,
        "Blimbing",
    ),
    Column(
        "Kode Pos",
        "postal_code",
        gettext_lazy("5 digits. Empty: the kelurahan's postal code."),
        ("kodepos",),
        False,
        "65122",
    ),
    Column(
        "Lintang",
        "latitude",
        gettext_lazy("Latitude, e.g. -7.9666 (optional)."),
        ("latitude", "lat"),
        False,
        "",
    ),
    Column(
        "Bujur",
        "longitude",
        gettext_lazy("Longitude, e.g. 112.6326 (optional)."),
        ("longitude", "lng", "long"),
        False,
        "",
    ),
    Column(
        "Tenaga Kerja Laki-laki",
        "workers_male",
        gettext_lazy("Number of male workers, the owner included."),
        ("tk laki-laki", "tk laki laki", "tk l", "tenaga kerja l"),
        False,
        "2",
    ),
    Column(
        "Tenaga Kerja Perempuan",
        "workers_female",
        gettext_lazy("Number of female workers, the owner included."),
        ("tk perempuan", "tk p", "tenaga kerja p"),
        False,
        "3",
    ),
    Column(
        "Jumlah Tenaga Kerja",
        "_workers_total",
        gettext_lazy("Total workers. Needed when the two columns above are empty; at least 1."),
        ("tenaga kerja", "jumlah tk", "total tenaga kerja", "jml tk", "tk"),
        False,
        "5",
    ),
    Column(
        "Nilai Investasi",
        "investment_idr",
        gettext_lazy("Investment in rupiah, excluding land and buildings."),
        ("investasi", "nilai investasi (rp)"),
        False,
        "75000000",
    ),
    Column(
        "Nilai Tanah dan Bangunan",
        "land_building_idr",
        gettext_lazy("Value of land and buildings in rupiah (optional)."),
        ("tanah dan bangunan", "nilai tanah bangunan"),
        False,
        "",
    ),
    Column(
        "Omzet per Tahun",
        "annual_turnover_idr",
        gettext_lazy("Annual turnover in rupiah."),
        ("omzet", "omset", "omset per tahun", "omzet tahunan", "nilai penjualan"),
        False,
        "360000000",
    ),
    Column(
        "Modal Usaha",
        "modal_usaha_idr",
        gettext_lazy("Business capital in rupiah, excluding land and buildings (optional)."),
        ("modal",),
        False,
        "",
    ),
    Column(
        "KBLI",
        "_kbli",
        gettext_lazy("Five-digit KBLI 2020 code of the main product, e.g. 10391."),
        ("kode kbli", "kbli 2020"),
        False,
        "10391",
    ),
    Column(
        "Produk",
        "_product",
        gettext_lazy("Name of the main product."),
        ("nama produk", "jenis produk", "produk utama", "komoditi", "komoditas"),
        False,
        "Keripik tempe",
    ),
    Column(
        "Kapasitas per Tahun",
        "_capacity",
        gettext_lazy("Production capacity per year (a number)."),
        ("kapasitas", "kapasitas produksi"),
        False,
        "12000",
    ),
    Column(
        "Satuan",
        "_unit",
        gettext_lazy("kg, ton, liter, pcs, m, m2, set, lusin, kodi, pasang, unit."),
        ("satuan kapasitas",),
        False,
        "kg",
    ),
    Column(
        "Bahan Baku",
        "_raw",
        gettext_lazy("Main raw materials."),
        ("bahan baku utama",),
        False,
        "Kedelai",
    ),
    Column(
        "Pemasaran",
        "_reach",
        gettext_lazy("Lokal, Regional, Nasional or Ekspor."),
        ("jangkauan pemasaran", "wilayah pemasaran"),
        False,
        "Regional",
    ),
    Column(
        "Sertifikat",
        "_certifications",
        gettext_lazy(
            "Certifications held, separated by commas: Halal, PIRT, BPOM, SNI, HKI Merek, TKDN."
        ),
        ("sertifikasi", "legalitas"),
        False,
        "Halal, PIRT",
    ),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


@functools.lru_cache(maxsize=8192, typed=True)
def _norm_header(text) -> str:
    # Cached: an import normalises the same few words (L/P, UD, Lokal, kelurahan …) per row.
    return _NOT_ALNUM.sub(" ", str(text or "").lower()).strip()


HEADER_LOOKUP = {}
for _col in COLUMNS:
    for _name in (_col.header, *_col.aliases):
        HEADER_LOOKUP[_norm_header(_name)] = _col.key

GENDER_WORDS = {
    "l": Gender.MALE,
    "lk": Gender.MALE,
    "laki": Gender.MALE,
    "laki laki": Gender.MALE,
    "pria": Gender.MALE,
    "male": Gender.MALE,
    "m": Gender.MALE,
    "p": Gender.FEMALE,
    "pr": Gender.FEMALE,
    "perempuan": Gender.FEMALE,
    "wanita": Gender.FEMALE,
    "female": Gender.FEMALE,
    "f": Gender.FEMALE,
    "w": Gender.FEMALE,
}
LEGAL_WORDS = {_norm_header(c.value): c.value for c in LegalForm} | {
    "pt perorangan": LegalForm.PT_PERORANGAN,
    "perseorangan": LegalForm.PERORANGAN,
    "usaha dagang": LegalForm.UD,
    "perseroan terbatas": LegalForm.PT,
    "kop": LegalForm.KOPERASI,
    "lain lain": LegalForm.LAINNYA,
    "belum ada": LegalForm.PERORANGAN,
    "": "",
}
REACH_WORDS = {c.value: c.value for c in MarketingReach} | {
    "lokal kota": MarketingReach.LOKAL,
    "luar kota": MarketingReach.REGIONAL,
    "jawa timur": MarketingReach.REGIONAL,
    "provinsi": MarketingReach.REGIONAL,
    "luar negeri": MarketingReach.EKSPOR,
    "export": MarketingReach.EKSPOR,
    "nasional": MarketingReach.NASIONAL,
}
CERT_WORDS = {c.value: c.value for c in CertificationKind} | {
    "p irt": CertificationKind.PIRT,
    "spp irt": CertificationKind.PIRT,
    "haki": CertificationKind.HAKI_MEREK,
    "hki": CertificationKind.HAKI_MEREK,
    "merek": CertificationKind.HAKI_MEREK,
    "hki merek": CertificationKind.HAKI_MEREK,
    "haki merek": CertificationKind.HAKI_MEREK,
    "md": CertificationKind.BPOM,
    "bpom md": CertificationKind.BPOM,
}


# --- Reading the file -------------------------------------------------------------------


@dataclass
class Sheet:
    headers: list[str]
    rows: list[tuple[int, list]]  # (spreadsheet row number, cells)
    encoding: str = ""
    file_format: str = ""


def _fail(message) -> ImportFileError:
    return ImportFileError(message, field_errors={"file": [message]})


def file_format_of(name: str) -> str:
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix == "xls":
        raise _fail(_("Old Excel files (.xls) cannot be read: save the file as .xlsx first."))
    if suffix not in ("xlsx", "csv", "txt"):
        raise _fail(_("Upload an XLSX or CSV file."))
    return "csv" if suffix == "txt" else suffix


def import_file_check(upload) -> str:
    """The size, and the type by content (ikm_portal/core/uploads.py): a file named .xlsx must be
    a workbook, one named .csv must be text. Returns "xlsx" or "csv"."""
    if upload.size > conf.import_max_bytes():
        raise _fail(
            _("The file is larger than %(mb)s MB.")
            % {"mb": conf.import_max_bytes() // (1024 * 1024)}
        )
    file_format = file_format_of(upload.name)
    upload.seek(0)
    if upload.read(2) in (b"\xff\xfe", b"\xfe\xff"):
        # UTF-16 text: the reader below says which encodings to save in.
        upload.seek(0)
        return file_format
    upload.seek(0)
    if file_format == "xlsx" and sniff_format(upload) != "xlsx":
        raise _fail(_("The file is not a valid XLSX workbook."))
    try:
        validate_upload(upload, formats={file_format}, max_bytes=conf.import_max_bytes())
    except ValidationError as exc:
        raise _fail(exc.messages[0]) from exc
    return file_format


def _find_header(rows: list[tuple[int, list]]) -> int:
    """Index of the header row: offices put titles above it, so take the first of the first ten
    rows that names at least two known columns."""
    for index, (_number, cells) in enumerate(rows[:10]):
        known = sum(1 for c in cells if _norm_header(c) in HEADER_LOOKUP)
        if known >= 2:
            return index
    raise _fail(
        _(
            "No header row found: the first rows must hold column names such as “Nama Usaha”, "
            "“Nama Pemilik” and “Kelurahan”. Download the template."
        )
    )


def _decode(raw: bytes, encoding: str) -> tuple[str, str]:
    if b"\x00" in raw[:4096]:
        raise _fail(
            _("The file is not UTF-8 or Windows-1252 text (it looks like UTF-16 or binary).")
        )
    if encoding:
        try:
            return raw.decode("utf-8-sig" if encoding == "utf-8" else "cp1252"), encoding
        except UnicodeDecodeError as exc:
            raise _fail(
                _("The file is not valid %(encoding)s text.") % {"encoding": encoding}
            ) from exc
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError as exc:
        raise _fail(_("The file is neither UTF-8 nor Windows-1252 text.")) from exc


# A damaged workbook fails while it is opened or, read lazily, while its rows are read.
_BROKEN_XLSX = (
    zipfile.BadZipFile,
    zlib.error,
    KeyError,
    OSError,
    ValueError,
    EOFError,
    SyntaxError,  # broken XML (ParseError is a SyntaxError)
)
_EXACT_FLOAT = 2**53  # below it a whole float is the integer Excel stored


def _calamine_cell(value):
    """A cell as openpyxl gives it, so both readers feed the same rows to the checks: empty as
    None, whole numbers as int (Excel stores 5, calamine reads every number as a float), dates
    as datetimes."""
    kind = type(value)
    if kind is str:
        return value or None
    if kind is float:
        if value.is_integer() and -_EXACT_FLOAT < value < _EXACT_FLOAT:
            return int(value)
    elif kind is datetime.date:
        return datetime.datetime(value.year, value.month, value.day)
    return value


def _xlsx_rows_calamine(fileobj) -> list[tuple[int, list]]:
    """The first worksheet's rows with python-calamine (Rust): about a hundred times faster than
    openpyxl's XML parsing in Python. Raises one of _BROKEN_XLSX or python_calamine's errors."""
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_filelike(fileobj)
    try:
        names = [
            m.name
            for m in workbook.sheets_metadata
            if m.typ == python_calamine.SheetTypeEnum.WorkSheet
        ]
        if not names:
            raise ValueError("no worksheet")
        # From A1 (not from the first used cell): the row numbers are the spreadsheet's.
        values = workbook.get_sheet_by_name(names[0]).to_python(skip_empty_area=False)
    finally:
        workbook.close()
    rows = []
    for number, cells in enumerate(values, start=1):
        if any(v != "" for v in cells):
            rows.append((number, [v if type(v) is str and v else _calamine_cell(v) for v in cells]))
    return rows


def _xlsx_rows_openpyxl(fileobj) -> list[tuple[int, list]]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    broken = (*_BROKEN_XLSX, InvalidFileException)
    try:
        workbook = openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except broken as exc:
        raise _fail(_("The file is not a valid XLSX workbook.")) from exc
    try:
        worksheet = workbook.worksheets[0]
        return [
            (number, list(values))
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1)
            if any(v not in (None, "") for v in values)
        ]
    except broken as exc:
        raise _fail(_("The file is not a valid XLSX workbook.")) from exc
    finally:
        workbook.close()


def _xlsx_rows(fileobj) -> list[tuple[int, list]]:
    """calamine first; a workbook it cannot read goes to openpyxl, which reads some files
    calamine refuses and otherwise says the file is broken."""
    import python_calamine

    try:
        return _xlsx_rows_calamine(fileobj)
    except (python_calamine.CalamineError, *_BROKEN_XLSX):
        pass
    except BaseException as exc:  # a Rust panic surfaces as pyo3's PanicException
        if type(exc).__name__ != "PanicException":
            raise
    fileobj.seek(0)
    return _xlsx_rows_openpyxl(fileobj)


@_with_gc_off
def read_sheet(fileobj, *, file_format: str, encoding: str = "") -> Sheet:
    fileobj.seek(0)
    if file_format == "xlsx":
        rows = _xlsx_rows(fileobj)
        used_encoding = ""
    else:
        text, used_encoding = _decode(fileobj.read(), encoding)
        sample = text[:8192]
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
            delimiter = dialect.delimiter
        except csv.Error:
            delimiter = ","
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            rows = [
                (number, values)
                for number, values in enumerate(reader, start=1)
                if any(v.strip() for v in values)
            ]
        except csv.Error as exc:
            raise _fail(_("The CSV file is malformed: %(error)s") % {"error": exc}) from exc
    if not rows:
        raise _fail(_("The file is empty."))
    header_index = _find_header(rows)
    headers = ["" if h is None else str(h).strip() for h in rows[header_index][1]]
    data_rows = rows[header_index + 1 :]
    if not data_rows:
        raise _fail(_("The file has a header row but no data rows."))
    if len(data_rows) > conf.import_max_rows():
        raise _fail(
            _("The file has %(n)s rows; at most %(max)s rows can be imported at once.")
            % {"n": len(data_rows), "max": conf.import_max_rows()}
        )
    return Sheet(headers, data_rows, used_encoding, file_format)


# --- From cells to the API's values ----------------------------------------------------------


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return str(value).strip()


def parse_money(value):
    """`Rp 1.500.000`, `1,500,000`, `1500000`, 1500000.0 → 1500000. None when empty."""
    if value in (None, ""):
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        if value != int(value):
            raise ValueError
        return int(value)
    text = re.sub(r"(?i)rp\.?|\s", "", str(value))
    if re.fullmatch(r"-?\d{1,3}([.,]\d{3})+", text):
        text = re.sub(r"[.,]", "", text)
    elif re.fullmatch(r"-?\d+([.,]0+)?", text):
        text = re.split(r"[.,]", text)[0]
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError
    return int(text)


def parse_number(value):
    if value in (None, ""):
        return None
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value))
    text = str(value).strip().replace(" ", "")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+(,\d+)?", text):
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", ".")
    return Decimal(text)


@dataclass
class Lookups:
    regions: dict[str, Region] = field(default_factory=dict)  # code → village
    villages_by_name: dict[str, list[Region]] = field(default_factory=dict)
    kecamatan_names: dict[str, str] = field(default_factory=dict)  # code → name
    sentra: dict[str, Sentra] = field(default_factory=dict)
    kbli: dict[tuple[str, str], Kbli] = field(default_factory=dict)
    # (kelurahan text, kecamatan text) → Region or RowProblem: a file names the same few
    # dozen kelurahan on every row.
    kelurahan_of: dict = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Lookups":
        lookups = cls()
        prefix = f"{settings.REGION_CODE}."
        for region in Region.objects.filter(code__startswith=prefix):
            if region.level in VILLAGE_LEVELS:
                lookups.regions[region.code] = region
                lookups.villages_by_name.setdefault(_norm_header(region.name), []).append(region)
            else:
                lookups.kecamatan_names[region.code] = region.name
        lookups.sentra = {_norm_header(s.name): s for s in Sentra.objects.filter(active=True)}
        # Every level: a code that is not a class is refused by the serializer's own check
        # without a query per row.
        lookups.kbli = {(k.version, k.code): k for k in Kbli.objects.all()}
        return lookups


class RowProblem(Exception):
    def __init__(self, key: str, message: str):
        self.key, self.message = key, message


def _kelurahan(text: str, kecamatan: str, lookups: Lookups) -> Region:
    found = lookups.kelurahan_of.get((text, kecamatan))
    if found is None:
        try:
            found = _find_kelurahan(text, kecamatan, lookups)
        except RowProblem as exc:
            found = exc
        lookups.kelurahan_of[(text, kecamatan)] = found
    if isinstance(found, RowProblem):
        raise RowProblem(found.key, found.message)
    return found


def _find_kelurahan(text: str, kecamatan: str, lookups: Lookups) -> Region:
    digits = re.sub(r"\D", "", text)
    if len(digits) == 10 and digits.isdigit() and text.replace(".", "").isdigit():
        text = f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"
    if re.fullmatch(r"\d{2}\.\d{2}\.\d{2}\.\d{4}", text):
        region = lookups.regions.get(text)
        if region is None:
            raise RowProblem(
                "kelurahan",
                _("Kelurahan code %(code)s is not a kelurahan of %(region)s.")
                % {"code": text, "region": settings.REGION_CODE},
            )
        return region
    name = _norm_header(re.sub(r"(?i)^(kel(urahan)?|desa)\.?\s+", "", text))
    matches = lookups.villages_by_name.get(name, [])
    if kecamatan and len(matches) > 1:
        wanted = _norm_header(re.sub(r"(?i)^kec(amatan)?\.?\s+", "", kecamatan))
        matches = [
            m for m in matches if _norm_header(lookups.kecamatan_names.get(m.parent_id)) == wanted
        ]
    if not matches:
        raise RowProblem(
            "kelurahan",
            _("Unknown kelurahan “%(name)s” in this city; use the name or code of the list.")
            % {"name": text},
        )
    if len(matches) > 1:
        raise RowProblem(
            "kelurahan",
            _("Several kelurahan are called “%(name)s”: give the kecamatan or the code.")
            % {"name": text},
        )
    region = matches[0]
    if kecamatan:
        wanted = _norm_header(re.sub(r"(?i)^kec(amatan)?\.?\s+", "", kecamatan))
        if wanted != _norm_header(lookups.kecamatan_names.get(region.parent_id, "")):
            raise RowProblem(
                "_kecamatan",
                _("Kelurahan %(kel)s is in kecamatan %(kec)s, not “%(given)s”.")
                % {
                    "kel": region.name,
                    "kec": lookups.kecamatan_names.get(region.parent_id, "?"),
                    "given": kecamatan,
                },
            )
    return region


def row_to_data(cells: dict, lookups: Lookups) -> tuple[dict, list[tuple[str, str]]]:
    """Cells keyed by column key → (a dict shaped like the API's body, [(key, message)])."""
    data: dict = {}
    problems: list[tuple[str, str]] = []
    texts = {
        key: value.strip() if value.__class__ is str else _cell_text(value)
        for key, value in cells.items()
    }

    def text(key):
        return texts.get(key, "")

    def guard(key, func):
        try:
            func()
        except RowProblem as exc:
            problems.append((exc.key, exc.message))
        except (ValueError, InvalidOperation, ArithmeticError):
            problems.append((key, _("“%(value)s” is not a number.") % {"value": text(key)}))

    for key in ("name", "brand", "owner_name", "email", "address", "npwp", "postal_code"):
        if text(key):
            data[key] = text(key)
    if text("rt_rw"):
        data["rt_rw"] = text("rt_rw")

    nik = cells.get("owner_nik")
    if isinstance(nik, int | float) and not isinstance(nik, bool):
        problems.append(
            (
                "owner_nik",
                _(
                    "The NIK is stored as a number and Excel keeps only 15 digits: format the "
                    "NIK column as Text and type the NIK again."
                ),
            )
        )
    elif text("owner_nik"):
        data["owner_nik"] = text("owner_nik")
    for key in ("nib",):
        if text(key):
            data[key] = text(key)

    phone = cells.get("phone")
    if isinstance(phone, int | float) and not isinstance(phone, bool):
        phone = "0" + _cell_text(phone)  # Excel drops the leading zero of 0812…
    if _cell_text(phone):
        data["phone"] = _cell_text(phone)

    gender = _norm_header(text("owner_gender"))
    if gender:
        if gender in GENDER_WORDS:
            data["owner_gender"] = GENDER_WORDS[gender]
        else:
            problems.append(("owner_gender", _("Write L or P.")))
    elif (
        re.fullmatch(r"\d{16}", data.get("owner_nik", ""))
        and 1 <= int(data["owner_nik"][6:8]) % 40 <= 31
    ):
        data["owner_gender"] = gender_from_nik(data["owner_nik"])

    legal = _norm_header(text("legal_form"))
    if legal in LEGAL_WORDS:
        if LEGAL_WORDS[legal]:
            data["legal_form"] = LEGAL_WORDS[legal]
    else:
        problems.append(
            ("legal_form", _("Unknown legal form “%(value)s”.") % {"value": text("legal_form")})
        )

    def year():
        if text("year_established"):
            data["year_established"] = int(parse_number(text("year_established")))

    guard("year_established", year)

    if text("sentra"):
        sentra = lookups.sentra.get(_norm_header(text("sentra")))
        if sentra is None:
            problems.append(
                (
                    "sentra",
                    _("“%(value)s” is not on the list of sentra.") % {"value": text("sentra")},
                )
            )
        else:
            data["sentra"] = sentra.pk

    def kelurahan():
        if text("kelurahan"):
            region = _kelurahan(text("kelurahan"), text("_kecamatan"), lookups)
            data["kelurahan"] = region.code
            if not data.get("postal_code") and region.postal_code:
                data["postal_code"] = region.postal_code

    guard("kelurahan", kelurahan)

    for key in ("latitude", "longitude"):
        guard(key, lambda key=key: text(key) and data.__setitem__(key, parse_number(text(key))))

    def workers():
        male, female = (
            parse_money(cells.get("workers_male")),
            parse_money(cells.get("workers_female")),
        )
        total = parse_money(cells.get("_workers_total"))
        if male is not None:
            data["workers_male"] = male
        if female is not None:
            data["workers_female"] = female
        if total is not None:
            split = (male or 0) + (female or 0)
            if total < split:
                raise RowProblem(
                    "_workers_total",
                    _("The total (%(total)s) is less than men and women together (%(split)s).")
                    % {"total": total, "split": split},
                )
            data["workers_unspecified"] = total - split
        if max(total or 0, (male or 0) + (female or 0)) < 1:
            raise RowProblem(
                "_workers_total", _("Give the number of workers (at least 1, the owner counts).")
            )

    guard("_workers_total", workers)

    for key in ("investment_idr", "land_building_idr", "annual_turnover_idr", "modal_usaha_idr"):

        def money(key=key):
            amount = parse_money(cells.get(key))
            if amount is not None:
                data[key] = amount

        guard(key, money)

    if text("_kbli") or text("_product"):
        product = {"kbli_code": text("_kbli"), "name": text("_product") or text("name")}
        if not text("_kbli"):
            problems.append(("_kbli", _("Give the KBLI code of the product.")))
        guard(
            "_capacity",
            lambda: (
                product.__setitem__("capacity_per_year", parse_number(text("_capacity")))
                if text("_capacity")
                else None
            ),
        )
        if text("_unit"):
            product["capacity_unit"] = text("_unit").lower().replace("²", "2")
        if text("_raw"):
            product["raw_materials"] = text("_raw")
        if text("_reach"):
            reach = REACH_WORDS.get(_norm_header(text("_reach")))
            if reach is None:
                problems.append(("_reach", _("Write Lokal, Regional, Nasional or Ekspor.")))
            else:
                product["marketing_reach"] = reach
        data["products"] = [product]

    if text("_certifications"):
        kinds = []
        for part in re.split(r"[,;/]", text("_certifications")):
            word = _norm_header(part)
            if not word or word in ("tidak ada", "belum ada", "-"):
                continue
            kind = CERT_WORDS.get(word) or CERT_WORDS.get(word.replace(" ", "_"))
            if kind is None:
                problems.append(
                    (
                        "_certifications",
                        _("Unknown certification “%(value)s”.") % {"value": part.strip()},
                    )
                )
            elif kind not in kinds:
                kinds.append(kind)
        data["certifications"] = [{"kind": k} for k in kinds]
    return data, problems


# --- Checking -----------------------------------------------------------------------------


def _serializer_errors(errors: dict) -> list[tuple[str, str]]:
    out = []
    for key, messages in errors.items():
        if key == "products":
            for item in messages:
                if isinstance(item, dict):
                    for sub, sub_messages in item.items():
                        column = {
                            "kbli_code": "_kbli",
                            "name": "_product",
                            "capacity_per_year": "_capacity",
                            "capacity_unit": "_unit",
                            "marketing_reach": "_reach",
                        }.get(sub, "_kbli")
                        out += [(column, str(m)) for m in _flat(sub_messages)]
                else:
                    out += [("_kbli", str(m)) for m in _flat(item)]
        elif key == "certifications":
            out += [("_certifications", str(m)) for m in _flat(messages)]
        elif key == "workers_male" and "_workers_total" not in errors:
            out += [("_workers_total", str(m)) for m in _flat(messages)]
        else:
            out += [(key, str(m)) for m in _flat(messages)]
    return out


def _flat(messages):
    if isinstance(messages, dict):
        for value in messages.values():
            yield from _flat(value)
    elif isinstance(messages, list | tuple):
        for value in messages:
            yield from _flat(value)
    else:
        yield messages


# --- The serializer's checks, compiled once per import -----------------------------------------
# EnterpriseSerializer is the one rule for pages, API and import, but running it costs ~0.7 ms a
# row (a field object call per value, error collection, nested list serializers). The import
# runs the same field objects' checks as plain Python: each field gets a fast function for the
# values the import gives it (a str for text, an int for numbers …) that only says "valid, and
# this is the value"; whenever it is not sure — a value too long, of another type, a validator
# that fails — the field itself runs (``field.run_validation`` and the serializer's
# ``validate_<field>``), so every error message is the serializer's own. A test compares the two
# on every kind of bad row (tests/registry/test_import_validator.py).


class _Slow(Exception):
    """The fast path is not sure: run the field itself."""


# DRF's ProhibitNullCharactersValidator and ProhibitSurrogateCharactersValidator in one search.
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


class _Checks:
    """``field.validators`` as plain checks: the usual ones (length, range, forbidden characters)
    as bounds compared inline, the others called (each raises when the value is bad)."""

    def __init__(self, field):
        from django.core import validators as dj
        from rest_framework.validators import ProhibitSurrogateCharactersValidator

        self.longest = self.shortest = self.highest = self.lowest = None
        self.characters = False
        self.others = []
        for validator in field.validators:
            limit = getattr(validator, "limit_value", None)
            kind = type(validator)
            if callable(limit) or getattr(validator, "requires_context", False):
                self.others.append(lambda v, f=field: f.run_validators(v))
            elif kind is dj.MaxLengthValidator:
                self.longest = limit if self.longest is None else min(limit, self.longest)
            elif kind is dj.MinLengthValidator:
                self.shortest = limit if self.shortest is None else max(limit, self.shortest)
            elif kind is dj.MaxValueValidator:
                self.highest = limit if self.highest is None else min(limit, self.highest)
            elif kind is dj.MinValueValidator:
                self.lowest = limit if self.lowest is None else max(limit, self.lowest)
            elif kind in (dj.ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator):
                self.characters = True
            else:
                self.others.append(validator)  # e.g. EmailValidator


def _compile_field(field):
    """value → internal value, for a value that is present (not DRF's ``empty``)."""
    from rest_framework import fields as f
    from rest_framework import relations
    from rest_framework import serializers as s

    kind = type(field)
    checks = _Checks(field)
    others = checks.others
    stock_run = kind.run_validation in (
        f.Field.run_validation,
        relations.RelatedField.run_validation,
    )
    if isinstance(field, s.ListSerializer):
        child = _compile_serializer(field.child)
        if (
            child is None
            or field.validators
            or kind.to_internal_value is not s.ListSerializer.to_internal_value
            or kind.validate is not s.ListSerializer.validate
            or field.max_length is not None
            or field.min_length is not None
        ):
            return None
        allow_empty = field.allow_empty

        def many(value):
            if type(value) is not list or (not value and not allow_empty):
                raise _Slow
            return [child(item) for item in value]

        return many
    if kind.run_validation is f.CharField.run_validation and (
        kind.to_internal_value is f.CharField.to_internal_value
    ):
        if checks.highest is not None or checks.lowest is not None:
            return None
        trim, allow_blank = field.trim_whitespace, field.allow_blank
        longest, shortest = checks.longest, checks.shortest or 0
        characters = checks.characters
        search = _BAD_CHARS.search

        def char(value):
            if type(value) is not str:
                raise _Slow
            if trim:
                value = value.strip()
            if not value:
                if allow_blank:
                    return ""
                raise _Slow
            if (
                (longest is not None and len(value) > longest)
                or len(value) < shortest
                or (characters and search(value))
            ):
                raise _Slow
            for check in others:
                check(value)
            return value

        return char
    if not stock_run or checks.longest is not None or checks.shortest is not None:
        return None
    convert = field.to_internal_value
    integer = isinstance(field, f.IntegerField) and (
        kind.to_internal_value is f.IntegerField.to_internal_value
    )
    if (
        kind is f.DecimalField
        and field.max_digits is not None
        and field.decimal_places is not None
        and not field.localize
    ):
        convert = _decimal_converter(field)
    highest, lowest, characters = checks.highest, checks.lowest, checks.characters

    def other(value):
        if value is None or value == "":
            raise _Slow  # empty values: DRF's validate_empty_values decides
        if not (integer and type(value) is int):
            value = convert(value)
        if (
            (highest is not None and value > highest)
            or (lowest is not None and value < lowest)
            or (characters and _BAD_CHARS.search(str(value)))
        ):
            raise _Slow
        for check in others:
            check(value)
        return value

    return other


def _decimal_converter(field):
    """DRF's DecimalField.to_internal_value for a Decimal within the field's digits: its
    precision checks, then the quantize, which only adds zeros there (so neither the context's
    rounding nor its precision can change the value). Anything else goes to DRF's."""
    from decimal import Context

    drf = field.to_internal_value
    places, digits = field.decimal_places, field.max_digits
    whole = field.max_whole_digits
    step = Decimal(1).scaleb(-places)
    context = Context(prec=digits)

    def convert(value):
        if type(value) is not Decimal or not value.is_finite():
            return drf(value)
        _sign, digit_tuple, exponent = value.as_tuple()
        if exponent >= 0:  # the three cases of DRF's validate_precision
            total = integral = len(digit_tuple) + exponent
            fraction = 0
        elif len(digit_tuple) > -exponent:
            total = len(digit_tuple)
            integral, fraction = total + exponent, -exponent
        else:
            total = fraction = -exponent
            integral = 0
        if total > digits or fraction > places or (whole is not None and integral > whole):
            return drf(value)  # DRF raises the precise message
        return value.quantize(step, context=context)

    return convert


def _compile_serializer(serializer):
    """dict → validated dict, or raises _Slow / a ValidationError; None when the serializer
    has something the fast path does not know (then it always runs itself)."""
    from rest_framework import serializers as s

    kind = type(serializer)
    if serializer.validators or kind.to_internal_value is not s.Serializer.to_internal_value:
        return None
    plan = []
    for api_field in serializer._writable_fields:
        fast = _compile_field(api_field)
        if fast is None:
            return None
        method = getattr(serializer, "validate_" + api_field.field_name, None)
        plan.append((api_field.field_name, api_field.required, fast, method))
    validate = serializer.validate

    def run(data):
        if type(data) is not dict:
            raise _Slow
        out = {}
        for name, required, fast, method in plan:
            if name not in data:
                if required:
                    raise _Slow
                continue
            value = fast(data[name])
            out[name] = value if method is None else method(value)
        return validate(out)

    return run


class RowValidator:
    """``EnterpriseSerializer(context=…).run_validation(data)`` for the import's rows, fast.

    ``validate(data)`` → (validated data, None) or (None, the serializer's error detail)."""

    def __init__(self, lookups: "Lookups"):
        from ..api.serializers import EnterpriseSerializer

        self.serializer = EnterpriseSerializer(
            context={
                "kbli_cache": lookups.kbli,
                "region_cache": lookups.regions,
                "sentra_cache": {s.pk: s for s in lookups.sentra.values()},
            }
        )
        serializer = self.serializer
        self.fields = []
        compiled = not serializer.validators and all(
            f.source_attrs == [f.field_name] for f in serializer._writable_fields
        )
        for api_field in serializer._writable_fields:
            method = getattr(serializer, "validate_" + api_field.field_name, None)
            fast = _compile_field(api_field) if compiled else None
            self.fields.append((api_field.field_name, api_field, fast, method))
        self.compiled = compiled

    def validate(self, data: dict) -> tuple[dict | None, dict | None]:
        if not self.compiled:
            try:
                return self.serializer.run_validation(data), None
            except DRFValidationError as exc:
                return None, exc.detail
        out, errors = {}, {}
        for name, api_field, fast, method in self.fields:
            if name not in data and not api_field.required:
                continue
            value = data.get(name)
            try:
                if fast is None or name not in data:
                    raise _Slow
                value = fast(value)
                out[name] = value if method is None else method(value)
                continue
            except (_Slow, DRFValidationError, ValidationError):
                pass
            # The field itself, as Serializer.to_internal_value runs it.
            try:
                value = api_field.run_validation(data.get(name, empty))
                if method is not None:
                    value = method(value)
            except DRFValidationError as exc:
                errors[name] = exc.detail
            except ValidationError as exc:
                errors[name] = get_error_detail(exc)
            except SkipField:
                pass
            else:
                out[name] = value
        if errors:
            return None, DRFValidationError(errors).detail
        try:
            out = self.serializer.validate(out)
        except (DRFValidationError, ValidationError) as exc:
            return None, DRFValidationError(detail=as_serializer_error(exc)).detail
        return out, None


@dataclass
class Checked:
    row: int
    data: dict | None  # validated kwargs for the services; None when the row has errors
    errors: list[tuple[str, str]]
    duplicates: list[dict]
    name: str = ""


def map_columns(sheet: Sheet) -> tuple[dict[int, str], list[str], dict[str, str]]:
    """{column index: key}, the headers not read, and {key: header as in the file}. Raises
    ImportFileError when a required column is missing."""
    columns: dict[int, str] = {}
    ignored = []
    for index, header in enumerate(sheet.headers):
        key = HEADER_LOOKUP.get(_norm_header(header))
        if key and key not in columns.values():
            columns[index] = key
        elif header:
            ignored.append(header)
    missing = [c.header for c in COLUMNS if c.required and c.key not in columns.values()]
    if missing:
        raise _fail(
            _("Required columns are missing: %(columns)s. Download the template.")
            % {"columns": ", ".join(missing)}
        )
    header_of = {key: sheet.headers[index] for index, key in columns.items()}
    for c in COLUMNS:
        header_of.setdefault(c.key, c.header)

    return columns, ignored, header_of


@_with_gc_off
def check_rows(sheet: Sheet, *, progress=None) -> tuple[list[Checked], dict]:
    """Check every row; returns the rows and the column map of the report."""
    from ..api.serializers import service_kwargs

    columns, ignored, header_of = map_columns(sheet)
    lookups = Lookups.load()
    validator = RowValidator(lookups)
    required = [c.key for c in COLUMNS if c.required]
    required_message = {
        key: _("%(column)s is required.") % {"column": header_of[key]} for key in required
    }
    placed = list(columns.items())
    width = max(columns) + 1 if columns else 0
    checked: list[Checked] = []
    for position, (number, values) in enumerate(sheet.rows, start=1):
        if len(values) < width:
            values = list(values) + [None] * (width - len(values))
        cells = {key: values[index] for index, key in placed}
        data, problems = row_to_data(cells, lookups)
        for key in required:
            value = cells.get(key)
            if not (value.strip() if value.__class__ is str else _cell_text(value)):
                problems.append((key, required_message[key]))
        validated, detail = validator.validate(data)
        if detail is not None:
            problems += _serializer_errors(detail)
        result = Checked(
            row=number, data=None, errors=problems, duplicates=[], name=data.get("name", "")
        )
        if validated is not None and not problems:
            result.data = service_kwargs(validated)
        checked.append(result)
        if progress and position % PROGRESS_EVERY == 0:
            progress(position)
    _find_duplicates([c for c in checked if c.data is not None])
    if progress:
        progress(len(sheet.rows))
    report_columns = {
        "recognised": {sheet.headers[i]: k for i, k in columns.items()},
        "ignored": ignored,
    }
    return checked, {"columns": report_columns, "header_of": header_of}


def _find_duplicates(rows: list[Checked]) -> None:
    """Exact duplicates (errors) and near ones (reported) of the valid rows, against the
    register and against earlier rows of the file — a few batched queries, not some per row."""
    active = Enterprise.objects.exclude(
        status__in=[EnterpriseStatus.ARCHIVED, EnterpriseStatus.REJECTED]
    )
    compared = active.exclude(status=EnterpriseStatus.DRAFT)
    keys = {id(r): name_key(r.data["data"].get("name", "")) for r in rows}
    nibs = {r.data["data"].get("nib") for r in rows} - {"", None}
    niks = {r.data["data"].get("owner_nik") for r in rows} - {"", None}
    phones = {r.data["data"].get("phone") for r in rows} - {"", None}
    by_nib: dict[str, tuple[int, str]] = {}
    by_nik: dict[str, list[tuple[int, str, str]]] = {}
    by_phone: dict[str, list[int]] = {}
    inactive = [EnterpriseStatus.ARCHIVED, EnterpriseStatus.REJECTED]
    for pk, nib, status in _matching(active, "nib", nibs, ("id", "nib", "status"), inactive):
        by_nib.setdefault(nib, (pk, status))
    nik_of_hash = {keyed_hash(nik): nik for nik in niks}
    for pk, digest, key, status in _matching(
        active,
        "owner_nik_hash",
        nik_of_hash,
        ("id", "owner_nik_hash", "name_key", "status"),
        inactive,
    ):
        by_nik.setdefault(nik_of_hash[digest], []).append((pk, key, status))
    for pk, phone in _matching(
        compared, "phone", phones, ("id", "phone"), [*inactive, EnterpriseStatus.DRAFT]
    ):
        by_phone.setdefault(phone, []).append(pk)
    on_postgres = connection.vendor == "postgresql"
    register_names: dict[str, NameIndex] = {}
    if not on_postgres:
        kelurahan_codes = sorted(
            {r.data["data"]["kelurahan"].code for r in rows if r.data["data"].get("kelurahan")}
        )
        for chunk in _chunks(kelurahan_codes):
            for pk, code, other_key in compared.filter(kelurahan_id__in=chunk).values_list(
                "id", "kelurahan_id", "name_key"
            ):
                register_names.setdefault(code, NameIndex()).add((pk, other_key), other_key)
    similar_of: dict[int, list] = {}
    if on_postgres:
        pairs = [
            (
                r.data["data"]["kelurahan"].code if r.data["data"].get("kelurahan") else "",
                keys[id(r)],
            )
            for r in rows
        ]
        similar_of = {
            id(r): found for r, found in zip(rows, similar_names_bulk(pairs), strict=True)
        }
    seen = _Seen()
    for result in rows:
        data = result.data["data"]
        key = keys[id(result)]
        nib, nik, phone = data.get("nib", ""), data.get("owner_nik", ""), data.get("phone", "")
        kelurahan = data.get("kelurahan")
        if nib and nib in by_nib:
            pk, status = by_nib[nib]
            field, message = duplicate_message("nib", status)
            result.errors.append((field, message))
            result.duplicates.append(
                {
                    "row": result.row,
                    "kind": "exact_nib",
                    "existing_id": pk,
                    "existing_status": status,
                }
            )
        same_nik = by_nik.get(nik, []) if nik else []
        exact = [(pk, status) for pk, other_key, status in same_nik if key and other_key == key]
        if exact:
            field, message = duplicate_message("nik_name", exact[0][1])
            result.errors.append((field, message))
            result.duplicates.append(
                {
                    "row": result.row,
                    "kind": "exact_nik_name",
                    "existing_id": exact[0][0],
                    "existing_status": exact[0][1],
                }
            )
        if nib and nib in seen.nib:
            result.errors.append(
                ("nib", _("The same NIB as row %(row)s.") % {"row": seen.nib[nib]})
            )
            result.duplicates.append(
                {"row": result.row, "kind": "exact_nib", "other_row": seen.nib[nib]}
            )
        if nik and key and (nik, key) in seen.nik_name:
            other = seen.nik_name[(nik, key)]
            result.errors.append(
                ("name", _("The same NIK and business name as row %(row)s.") % {"row": other})
            )
            result.duplicates.append(
                {"row": result.row, "kind": "exact_nik_name", "other_row": other}
            )
        if result.errors:
            result.data = None
            continue
        if nib:
            seen.nib[nib] = result.row
        if nik and key:
            seen.nik_name[(nik, key)] = result.row
        # Near duplicates: reported, never refused.
        if kelurahan is not None and key:
            if on_postgres:
                similar = similar_of.get(id(result), [])
            else:
                similar = [
                    (pk, round(trigram_similarity(key, other_key), 3))
                    for pk, other_key in register_names.setdefault(
                        kelurahan.code, NameIndex()
                    ).match(key)[:3]
                ]
            for pk, score in similar:
                result.duplicates.append(
                    {
                        "row": result.row,
                        "kind": DuplicateKind.SIMILAR_NAME,
                        "existing_id": pk,
                        "score": score,
                    }
                )
            # Inside the file: the same name, or one name is the other plus more words.
            in_file = seen.by_kelurahan.setdefault(kelurahan.code, NameIndex())
            for other_row in sorted(in_file.match(key))[:3]:
                result.duplicates.append(
                    {
                        "row": result.row,
                        "kind": DuplicateKind.SIMILAR_NAME,
                        "other_row": other_row,
                        "score": None,
                    }
                )
            in_file.add(result.row, key)
        if phone:
            result.duplicates += [
                {"row": result.row, "kind": DuplicateKind.SAME_PHONE, "existing_id": pk}
                for pk in by_phone.get(phone, [])[:3]
            ]
            if phone in seen.phone:
                result.duplicates.append(
                    {
                        "row": result.row,
                        "kind": DuplicateKind.SAME_PHONE,
                        "other_row": seen.phone[phone],
                    }
                )
            else:
                seen.phone[phone] = result.row
        if nik:
            result.duplicates += [
                {"row": result.row, "kind": DuplicateKind.SAME_NIK, "existing_id": pk}
                for pk, other_key, status in same_nik
                if other_key != key and status != EnterpriseStatus.DRAFT
            ][:3]


def _matching(queryset, column: str, values, select: tuple, excluded_statuses: list):
    """(select…) of the businesses whose ``column`` is one of ``values`` and whose status is not
    excluded, by id. PostgreSQL: one array parameter per 20,000 values (``IN`` with thousands of
    parameters costs Django ~8 µs a value to build); others: the queryset, 900 at a time."""
    values = sorted(values)
    if connection.vendor != "postgresql":
        for chunk in _chunks(values):
            yield from (
                queryset.filter(**{f"{column}__in": chunk}).order_by("id").values_list(*select)
            )
        return
    quote = connection.ops.quote_name
    sql = (
        f"SELECT {', '.join(quote(c) for c in select)} FROM {quote(Enterprise._meta.db_table)} "  # noqa: S608
        f"WHERE {quote(column)} = ANY(%s) AND NOT ({quote('status')} = ANY(%s)) ORDER BY id"
    )
    with connection.cursor() as cursor:
        for chunk in _chunks(values, 20_000):
            cursor.execute(sql, [chunk, [str(s) for s in excluded_statuses]])
            yield from cursor.fetchall()


def _chunks(items: list, size: int = 900):
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass
class _Seen:
    """What earlier rows of the same file hold, to find duplicates inside the file."""

    nib: dict = field(default_factory=dict)
    nik_name: dict = field(default_factory=dict)
    phone: dict = field(default_factory=dict)
    by_kelurahan: dict = field(default_factory=dict)


def _report(checked: list[Checked], meta: dict) -> dict:
    header_of = meta["header_of"]
    errors = []
    for item in checked:
        for key, message in item.errors:
            errors.append(
                {
                    "row": item.row,
                    "column": header_of.get(key, key),
                    "field": key.lstrip("_"),
                    "message": str(message),
                }
            )
    duplicates = [d | {"name": item.name} for item in checked for d in item.duplicates]
    return {
        "columns": meta["columns"],
        "errors": errors[:MAX_REPORTED_ERRORS],
        "errors_truncated": len(errors) > MAX_REPORTED_ERRORS,
        "duplicates": duplicates[:MAX_REPORTED_ERRORS],
    }


# --- Jobs ---------------------------------------------------------------------------------


def _claim(job_id: int, from_statuses, to_status) -> bool:
    """Conditional UPDATE: a second worker (or a retried task) finds nothing to do."""
    return bool(
        ImportJob.objects.filter(pk=job_id, status__in=list(from_statuses)).update(
            status=to_status, started_at=timezone.now(), updated_at=timezone.now()
        )
    )


def import_start(
    *,
    upload,
    actor,
    dry_run: bool = True,
    mode: str = ImportMode.VALID_ROWS,
    target_status: str = EnterpriseStatus.VERIFIED,
    encoding: str = "",
) -> ImportJob:
    """Store the uploaded file and check it (in the background when it is large). Without
    `dry_run` the valid rows are imported right after the check."""
    file_format = import_file_check(upload)
    sheet = read_sheet(upload, file_format=file_format, encoding=encoding)
    map_columns(sheet)  # a file without the required columns fails now, not in the background
    upload.seek(0)
    job = ImportJob.objects.create(
        created_by=actor,
        file=upload,
        original_name=upload.name[-200:],
        file_format=file_format,
        encoding=sheet.encoding or encoding,
        mode=mode,
        total_rows=len(sheet.rows),
        report={"target_status": target_status, "confirm": not dry_run},
    )
    if len(sheet.rows) > conf.import_background_rows():
        from ..tasks import import_check_task

        transaction.on_commit(lambda: import_check_task.delay(job.pk))
    else:
        import_check(job_id=job.pk, sheet=sheet)
    return ImportJob.objects.get(pk=job.pk)


def import_check(*, job_id: int, sheet: Sheet | None = None) -> ImportJob | None:
    if not _claim(job_id, {ImportStatus.PENDING}, ImportStatus.VALIDATING):
        return None
    job = ImportJob.objects.get(pk=job_id)
    try:
        if sheet is None:
            with job.file.open("rb") as fh:
                sheet = read_sheet(fh, file_format=job.file_format, encoding=job.encoding)

        def progress(n):
            ImportJob.objects.filter(pk=job_id).update(processed_rows=n)

        checked, meta = check_rows(sheet, progress=progress)
    except ImportFileError as exc:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED, error=str(exc.message), finished_at=timezone.now()
        )
        return ImportJob.objects.get(pk=job_id)
    report = _report(checked, meta) | {k: job.report.get(k) for k in ("target_status", "confirm")}
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.VALIDATED,
        total_rows=len(checked),
        processed_rows=len(checked),
        valid_rows=sum(1 for c in checked if c.data is not None),
        error_rows=sum(1 for c in checked if c.data is None),
        duplicate_rows=sum(1 for c in checked if c.duplicates),
        report=report,
        updated_at=timezone.now(),
    )
    job.refresh_from_db()
    if job.report.get("confirm"):
        return import_confirm(job=job, actor=job.created_by, mode=job.mode, _checked=checked)
    return job


def import_confirm(*, job: ImportJob, actor, mode: str | None = None, _checked=None) -> ImportJob:
    """Import a checked file. Large files go to the background (status `importing`)."""
    from ikm_portal.core.exceptions import Conflict

    job = ImportJob.objects.get(pk=job.pk)
    if job.status != ImportStatus.VALIDATED:
        raise Conflict(
            _("This import is not waiting for confirmation (status: %(status)s).")
            % {"status": job.get_status_display()}
        )
    if mode and mode != job.mode:
        ImportJob.objects.filter(pk=job.pk).update(mode=mode)
        job.mode = mode
    if _checked is None and job.total_rows > conf.import_background_rows():
        report = job.report | {"confirm": True}
        ImportJob.objects.filter(pk=job.pk).update(report=report)
        from ..tasks import import_run_task

        transaction.on_commit(lambda: import_run_task.delay(job.pk, actor.pk if actor else None))
        return job
    return import_run(job_id=job.pk, actor=actor, checked=_checked)


@_with_gc_off
def import_run(*, job_id: int, actor, checked: list[Checked] | None = None) -> ImportJob | None:
    if not _claim(job_id, {ImportStatus.VALIDATED}, ImportStatus.IMPORTING):
        return None
    job = ImportJob.objects.get(pk=job_id)
    ImportJob.objects.filter(pk=job_id).update(processed_rows=0)
    if checked is None:
        with job.file.open("rb") as fh:
            sheet = read_sheet(fh, file_format=job.file_format, encoding=job.encoding)
        checked, meta = check_rows(sheet)  # the register may have changed since the dry run
        report = _report(checked, meta) | {
            k: job.report.get(k) for k in ("target_status", "confirm")
        }
    else:
        report = job.report
    valid = [c for c in checked if c.data is not None]
    errors = len(checked) - len(valid)
    update = {
        "valid_rows": len(valid),
        "error_rows": errors,
        "duplicate_rows": sum(1 for c in checked if c.duplicates),
        "report": report,
    }
    if job.mode == ImportMode.ALL_OR_NOTHING and errors:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            error=_("Nothing was imported: %(n)s rows have errors (all-or-nothing).")
            % {"n": errors},
            finished_at=timezone.now(),
            **update,
        )
        return ImportJob.objects.get(pk=job_id)
    target = job.report.get("target_status") or EnterpriseStatus.VERIFIED
    size = CHUNK
    created = 0
    failed_rows: list[dict] = []
    written: dict = {}  # {row: id} of the rows imported so far, for the duplicate flags

    def progress(n):
        ImportJob.objects.filter(pk=job_id).update(processed_rows=n)

    try:
        if copy_writes():
            strict = job.mode == ImportMode.ALL_OR_NOTHING
            with transaction.atomic() if strict else contextlib.nullcontext():
                created = _write_copy(
                    valid,
                    actor=actor,
                    target=target,
                    job_id=job_id,
                    strict=strict,
                    failed=failed_rows,
                    batch=uuid.uuid4(),
                    written=written,
                    progress=None if strict else progress,
                )
        elif job.mode == ImportMode.ALL_OR_NOTHING:
            batch = uuid.uuid4()  # one change set, as one transaction
            with transaction.atomic():
                for start in range(0, len(valid), size):
                    created += _write_orm(
                        valid[start : start + size],
                        actor=actor,
                        target=target,
                        job_id=job_id,
                        strict=True,
                        batch=batch,
                        written=written,
                    )
        else:
            for start in range(0, len(valid), size):
                chunk = valid[start : start + size]
                created += _write_orm(
                    chunk,
                    actor=actor,
                    target=target,
                    job_id=job_id,
                    failed=failed_rows,
                    written=written,
                )
                progress(start + len(chunk))
    except IntegrityError:
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportStatus.FAILED,
            error=_("Nothing was imported: a row conflicts with a business registered meanwhile."),
            finished_at=timezone.now(),
            **update,
        )
        return ImportJob.objects.get(pk=job_id)
    if failed_rows:
        report = report | {"errors": report.get("errors", []) + failed_rows}
        update["report"] = report
        update["error_rows"] = errors + len(failed_rows)
        update["valid_rows"] = len(valid) - len(failed_rows)
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.DONE,
        created_count=created,
        processed_rows=len(valid),
        finished_at=timezone.now(),
        **update,
    )
    return ImportJob.objects.get(pk=job_id)


NEAR_KINDS = {DuplicateKind.SIMILAR_NAME, DuplicateKind.SAME_PHONE, DuplicateKind.SAME_NIK}


def _flag_near_duplicates(pairs: list[tuple[int, "Checked"]], written: dict | None = None) -> None:
    """Flags for staff from what the check found: against the register and between rows of the
    file that were both imported (one bulk insert, no query per row). ``pairs``: (the new
    business's id, its row); ``written``: {row: id} of the rows imported before (earlier
    chunks of the file), updated with these."""
    id_of_row = written if written is not None else {}
    id_of_row.update((item.row, pk) for pk, item in pairs)
    flags = {}
    for pk, item in pairs:
        for found in item.duplicates:
            if found["kind"] not in NEAR_KINDS:
                continue
            other = found.get("existing_id") or id_of_row.get(found.get("other_row"))
            if not other or other == pk:
                continue
            low, high = sorted((pk, other))
            flags[(low, high, found["kind"])] = DuplicateFlag(
                enterprise_id=low, other_id=high, kind=found["kind"], score=found.get("score")
            )
    DuplicateFlag.objects.bulk_create(list(flags.values()), batch_size=1000, ignore_conflicts=True)


def _build(item: Checked, *, actor, target: str, now) -> tuple[Enterprise, list, list]:
    kwargs = item.data
    enterprise = Enterprise(
        created_by=actor if actor is not None else None,
        source=RegistrationSource.IMPORT,
        status=target,
        status_changed_at=now,
        submitted_at=now,
        verified_at=now if target == EnterpriseStatus.VERIFIED else None,
        verified_by=actor if target == EnterpriseStatus.VERIFIED else None,
        draft_step=5,
    )
    for key, value in kwargs["data"].items():
        if key in EDITABLE_FIELDS:
            setattr(
                enterprise,
                key,
                ""
                if value is None and isinstance(Enterprise._meta.get_field(key).default, str)
                else value,
            )
    for key in ("workers_male", "workers_female", "workers_unspecified"):
        if getattr(enterprise, key) is None:
            setattr(enterprise, key, 0)
    enterprise_derive(enterprise)
    products = kwargs.get("products") or []
    enterprise.product_names = product_names_of(p["name"] for p in products)
    return enterprise, products, kwargs.get("certifications") or []


def _write_one_by_one(
    items, *, actor, target: str, job_id: int, failed: list, written: dict | None = None
) -> int:
    """Each row in its own transaction; a row that collides is reported, the others written."""
    created = 0
    for item in items:
        try:
            with transaction.atomic():
                created += _write_orm(
                    [item],
                    actor=actor,
                    target=target,
                    job_id=job_id,
                    strict=True,
                    written=written,
                )
        except IntegrityError:
            failed.append(
                {
                    "row": item.row,
                    "column": "NIB",
                    "field": "nib",
                    "message": str(_("This business was registered meanwhile.")),
                }
            )
    return created


def _write_orm(
    items: list[Checked],
    *,
    actor,
    target: str,
    job_id: int,
    strict: bool = False,
    failed: list | None = None,
    batch: uuid.UUID | None = None,
    written: dict | None = None,
) -> int:
    """bulk_create (every database; SQLite in the tests)."""
    now = timezone.now()
    built = [(_build(item, actor=actor, target=target, now=now), item) for item in items]
    try:
        with transaction.atomic():
            enterprises = Enterprise.objects.bulk_create([parts[0] for parts, _item in built])
    except IntegrityError:
        if strict:
            raise
        # A row collided with a record registered meanwhile: write row by row, skip that one.
        return _write_one_by_one(
            [item for _parts, item in built],
            actor=actor,
            target=target,
            job_id=job_id,
            failed=failed,
            written=written,
        )
    products, certifications, logs = [], [], []
    content_type = ContentType.objects.get_for_model(Enterprise)
    real_actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    for (enterprise, item_products, item_certs), _item in built:
        for position, p in enumerate(item_products):
            products.append(
                Product(
                    enterprise=enterprise,
                    position=position,
                    kbli=p["kbli"],
                    kbli_code=p["kbli"].code,
                    kbli_version=p["kbli"].version,
                    name=p["name"],
                    capacity_per_year=p.get("capacity_per_year"),
                    capacity_unit=p.get("capacity_unit") or "",
                    raw_materials=p.get("raw_materials") or "",
                    marketing_reach=p.get("marketing_reach") or "",
                )
            )
        for c in item_certs:
            certifications.append(
                Certification(
                    enterprise=enterprise,
                    kind=c["kind"],
                    number=c.get("number") or "",
                    expires_on=c.get("expires_on"),
                )
            )
        logs.append(
            ActivityLog(
                actor=real_actor,
                content_type=content_type,
                object_id=str(enterprise.pk),
                action="enterprise.import",
                to_state=enterprise.status,
                data={"import": job_id},
            )
        )
    Product.objects.bulk_create(products, batch_size=1000)
    Certification.objects.bulk_create(certifications, batch_size=1000)
    # One history entry per imported record ("created by import N"); the values themselves are
    # the record's, and every later change is kept field by field with its old value.
    batch = batch or uuid.uuid4()
    history = [
        FieldChange(
            enterprise=enterprise,
            batch=batch,
            actor=real_actor,
            source=HistorySource.IMPORT,
            field="created",
            old_value="",
            new_value=f"import #{job_id}, row {item.row}",
        )
        for (enterprise, *_rest), item in built
    ]
    FieldChange.objects.bulk_create(history, batch_size=2000)
    ActivityLog.objects.bulk_create(logs, batch_size=1000)
    _flag_near_duplicates([(e.pk, item) for (e, *_rest), item in built], written)
    return len(enterprises)


# --- Writing with COPY (PostgreSQL) ---------------------------------------------------------------
# bulk_create spends ~0.5 ms a business in Django's per-value machinery (pre_save, get_db_prep_save,
# SQL of 50 columns by rows) — more than everything else of an import together. On PostgreSQL the
# rows go in with COPY: the same columns and values the ORM path writes (the derived fields by
# enterprise_derive, the NIK encrypted and hashed as the model fields do; a test compares the rows
# of both paths), the businesses' ids reserved from their sequence first.

COPY_CHUNK = 5000  # rows per COPY transaction in valid-rows mode (and between progress updates)
COPY_WRITERS = 2  # connections that COPY at once when the import runs outside a transaction
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_writes() -> bool:
    """COPY on PostgreSQL through psycopg2 (its ``copy_expert``); bulk_create otherwise, or
    with the setting REGISTRY_IMPORT_COPY = False."""
    return (
        connection.vendor == "postgresql"
        and connection.Database.__name__ == "psycopg2"
        and getattr(settings, "REGISTRY_IMPORT_COPY", True)
    )


def _copy_converter(model_field):
    """Python value → the COPY text of one column."""
    from django.db import models

    def text(v):
        return "\\N" if v is None else str(v).translate(_COPY_ESCAPES)

    def number(v):
        return "\\N" if v is None else str(int(v))

    def plain(v):
        return "\\N" if v is None else str(v)

    def moment(v):
        return "\\N" if v is None else v.isoformat()

    def boolean(v):
        return "\\N" if v is None else ("t" if v else "f")

    encoder = getattr(model_field, "encoder", None)

    def json_text(v):
        return "\\N" if v is None else json.dumps(v, cls=encoder).translate(_COPY_ESCAPES)

    def floating(v):
        return "\\N" if v is None else repr(float(v))

    if isinstance(model_field, models.ForeignKey):
        return _copy_converter(model_field.target_field)
    for kind, convert in (
        (models.BooleanField, boolean),
        (models.AutoField, number),
        (models.IntegerField, number),  # every integer field, small, big and positive
        (models.DecimalField, plain),
        (models.FloatField, floating),
        (models.DateTimeField, moment),
        (models.DateField, moment),
        (models.UUIDField, plain),
        (models.JSONField, json_text),
        (models.CharField, text),
        (models.TextField, text),
    ):
        if isinstance(model_field, kind):
            return convert
    raise TypeError(f"No COPY conversion for {model_field!r}")


class _CopyTable:
    """COPY into a model's table: ``attnames`` vary per row; ``constants`` (attname → value)
    are the same for every row, converted once."""

    def __init__(self, model, attnames: list[str], constants: dict | None = None):
        from django.db import models

        constants = constants or {}
        fields = {f.attname: f for f in model._meta.concrete_fields}
        self.model = model
        self.fields = [fields[a] for a in (*attnames, *constants)]
        self.converters = [_copy_converter(fields[a]) for a in attnames]
        # Per-row values are written by their str(): types whose COPY text differs are constants.
        special = (models.JSONField, models.FloatField, models.BooleanField)
        special += (models.DateTimeField, models.UUIDField)
        for a in attnames:
            if isinstance(fields[a], special):
                raise TypeError(f"{a}: give it as a constant")
        self.suffix = "".join(
            "\t" + _copy_converter(fields[a])(value) for a, value in constants.items()
        )
        self.width = len(attnames)
        self.rows: list[str] = []

    def add(self, values: tuple) -> None:
        # str() of each value, then one look at the whole line for what COPY must escape
        # (backslash, tab, newline): most lines have none, and then no value is escaped.
        line = "\t".join(
            ["\\N" if v is None else v if v.__class__ is str else str(v) for v in values]
        )
        if (
            line.count("\t") != self.width - 1
            or line.count("\\") != values.count(None)
            or "\n" in line
            or "\r" in line
        ):
            line = "\t".join(
                [convert(v) for convert, v in zip(self.converters, values, strict=True)]
            )
        self.rows.append(line + self.suffix)

    def write(self, cursor) -> None:
        if not self.rows:
            return
        columns = ", ".join(connection.ops.quote_name(f.column) for f in self.fields)
        table = connection.ops.quote_name(self.model._meta.db_table)
        buffer = io.StringIO("\n".join(self.rows) + "\n")
        with connection.wrap_database_errors:
            cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
        self.rows = []


_DERIVE_READS = (
    "name",
    "kelurahan_id",
    "workers_male",
    "workers_female",
    "workers_unspecified",
    "investment_idr",
    "modal_usaha_idr",
    "annual_turnover_idr",
)


class _Derived:
    """What enterprise_derive reads and sets, without a model instance."""

    __slots__ = ("kelurahan", *_DERIVE_READS, *DERIVED_FIELDS)


_FOREIGN = {"sentra": "sentra_id", "kelurahan": "kelurahan_id"}


def _write_copy(
    items: list[Checked],
    *,
    actor,
    target: str,
    job_id: int,
    strict: bool,
    failed: list | None,
    batch: uuid.UUID,
    written: dict | None = None,
    progress=None,
) -> int:
    """The businesses of the rows, with products, certifications, history, activity log and
    duplicate flags: one transaction of COPYs per COPY_CHUNK rows.

    A writer thread runs each chunk's COPYs on this thread's own connection (so in its
    transaction) while this thread prepares the next chunk: PostgreSQL updating the register's
    indexes and Python building rows take the two cores at once (psycopg2 lets go of the GIL
    while the server works). The two threads never use the connection at the same time."""
    written = {} if written is None else written
    chunks = [items[i : i + COPY_CHUNK] for i in range(0, len(items), COPY_CHUNK)]
    if not chunks:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Enterprise._meta.db_table, len(items)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    context = _CopyContext(
        actor=actor,
        target=target,
        job_id=job_id,
        content_type_id=ContentType.objects.get_for_model(Enterprise).pk,
    )
    if not strict and not connection.in_atomic_block and COPY_WRITERS > 1:
        return _write_copy_parallel(
            chunks,
            ids,
            context,
            actor=actor,
            target=target,
            job_id=job_id,
            failed=failed,
            written=written,
            progress=progress,
        )
    shared = connections[DEFAULT_DB_ALIAS]
    created, done = 0, 0
    shared.inc_thread_sharing()
    try:
        # One change set per transaction, as bulk_create's batches.
        def batch_of_chunk():
            return batch if strict else uuid.uuid4()

        prepared = _copy_prepare(chunks[0], ids[: len(chunks[0])], context, batch_of_chunk())
        for index, chunk in enumerate(chunks):
            outcome: dict = {}
            writer = threading.Thread(
                target=_copy_execute,
                args=(shared, prepared, written, outcome),
                name=f"import-{job_id}-copy",
            )
            writer.start()
            try:
                following = None
                if index + 1 < len(chunks):
                    offset = done + len(chunk)
                    nxt = chunks[index + 1]
                    following = _copy_prepare(
                        nxt, ids[offset : offset + len(nxt)], context, batch_of_chunk()
                    )
            finally:
                writer.join()
            error = outcome.get("error")
            if error is None:
                created += len(chunk)
            elif isinstance(error, IntegrityError) and not strict:
                # A row collided with a record registered meanwhile: row by row, skip that one.
                created += _write_one_by_one(
                    chunk, actor=actor, target=target, job_id=job_id, failed=failed, written=written
                )
            else:
                raise error
            done += len(chunk)
            if progress is not None:
                progress(done)
            prepared = following
    finally:
        shared.dec_thread_sharing()
    return created


def _write_copy_parallel(
    chunks: list[list[Checked]],
    ids: list[int],
    context: "_CopyContext",
    *,
    actor,
    target: str,
    job_id: int,
    failed: list | None,
    written: dict,
    progress,
) -> int:
    """Valid-rows mode outside a transaction: COPY_WRITERS threads, each on its own
    connection, take the chunks this thread prepares and COPY each in its own transaction, so
    PostgreSQL updates the register's indexes on two cores at once. The rows of a chunk that
    collided with a business registered meanwhile, and the duplicate flags, are written after
    all chunks, here (a flag needs both businesses committed)."""
    work: queue.Queue = queue.Queue(maxsize=COPY_WRITERS)
    outcomes: dict[int, BaseException | None] = {}
    lock = threading.Lock()
    counted = [0]

    def writer():
        try:
            while (got := work.get()) is not None:
                index, prepared, size = got
                try:
                    with transaction.atomic(), connection.cursor() as cursor:
                        for table in prepared.tables:
                            table.write(cursor)
                    error = None
                except BaseException as exc:  # handed to the main thread
                    error = exc
                with lock:
                    outcomes[index] = error
                    if error is None and progress is not None:
                        counted[0] += size
                        progress(counted[0])
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=writer, name=f"import-{job_id}-copy-{n}")
        for n in range(COPY_WRITERS)
    ]
    for thread in threads:
        thread.start()
    pairs_of: dict[int, list] = {}
    try:
        offset = 0
        for index, chunk in enumerate(chunks):
            prepared = _copy_prepare(
                chunk, ids[offset : offset + len(chunk)], context, uuid.uuid4()
            )
            offset += len(chunk)
            pairs_of[index] = prepared.pairs
            work.put((index, prepared, len(chunk)))
    finally:
        for _thread in threads:
            work.put(None)
        for thread in threads:
            thread.join()
    for index in sorted(outcomes):
        error = outcomes[index]
        if error is not None and not isinstance(error, IntegrityError):
            raise error
    copied = [i for i in sorted(outcomes) if outcomes[i] is None]
    for index in copied:
        written.update((item.row, pk) for pk, item in pairs_of[index])
    created = sum(len(chunks[i]) for i in copied)
    for index in sorted(set(outcomes) - set(copied)):
        # A row collided with a record registered meanwhile: row by row, skip that one.
        created += _write_one_by_one(
            chunks[index], actor=actor, target=target, job_id=job_id, failed=failed, written=written
        )
    _flag_near_duplicates([pair for i in copied for pair in pairs_of[i]], written)
    return created


@dataclass
class _CopyContext:
    actor: object
    target: str
    job_id: int
    content_type_id: int


@dataclass
class _Prepared:
    tables: list
    pairs: list


def _copy_execute(shared, prepared: _Prepared, written: dict, outcome: dict) -> None:
    """The writer thread: one chunk's COPYs and flags in one transaction (a savepoint inside
    an all-or-nothing import's transaction)."""
    connections[DEFAULT_DB_ALIAS] = shared
    try:
        with transaction.atomic(), shared.cursor() as cursor:
            for table in prepared.tables:
                table.write(cursor)
            before = dict(written)
            try:
                _flag_near_duplicates(prepared.pairs, written)
            except BaseException:
                written.clear()
                written.update(before)
                raise
    except BaseException as exc:  # handed to the main thread
        outcome["error"] = exc


_ENTERPRISE_VARYING = (
    "id",
    *(_FOREIGN.get(f, f) for f in EDITABLE_FIELDS),
    *DERIVED_FIELDS,
    "owner_nik_hash",
    "product_names",
)


def _copy_prepare(
    items: list[Checked], ids: list[int], context: _CopyContext, batch: uuid.UUID
) -> _Prepared:
    """The COPY text of one chunk (no query: the writer thread may be using the connection)."""
    actor, target, job_id = context.actor, context.target, context.job_id
    now = timezone.now()
    verified = target == EnterpriseStatus.VERIFIED
    actor_id = actor.pk if actor is not None else None
    real_actor_id = actor_id if getattr(actor, "is_authenticated", False) else None
    # Every column at the value a new Enterprise() holds, then what _build sets.
    template = {f.attname: f.get_default() for f in Enterprise._meta.concrete_fields}
    # As _build: an empty value becomes "" only where the field declares a text default.
    string_default = {
        f.name for f in Enterprise._meta.concrete_fields if isinstance(f.default, str)
    }
    template |= {
        "created_at": now,
        "updated_at": now,
        "created_by_id": actor_id,
        "source": RegistrationSource.IMPORT,
        "status": target,
        "status_changed_at": now,
        "submitted_at": now,
        "verified_at": now if verified else None,
        "verified_by_id": actor_id if verified else None,
        "draft_step": 5,
    }
    varying = _ENTERPRISE_VARYING
    row_template = {a: template[a] for a in varying}
    businesses = _CopyTable(
        Enterprise, list(varying), {a: v for a, v in template.items() if a not in row_template}
    )
    products = _CopyTable(
        Product,
        [
            "enterprise_id",
            "position",
            "kbli_id",
            "kbli_code",
            "kbli_version",
            "name",
            "capacity_per_year",
            "capacity_unit",
            "raw_materials",
            "marketing_reach",
        ],
    )
    certifications = _CopyTable(Certification, ["enterprise_id", "kind", "number", "expires_on"])
    history = _CopyTable(
        FieldChange,
        ["enterprise_id", "new_value"],
        {
            "batch": batch,
            "changed_at": now,
            "actor_id": real_actor_id,
            "source": HistorySource.IMPORT,
            "field": "created",
            "old_value": "",
        },
    )
    logs = _CopyTable(
        ActivityLog,
        ["object_id"],
        {
            "created_at": now,
            "actor_id": real_actor_id,
            "content_type_id": context.content_type_id,
            "action": "enterprise.import",
            "from_state": "",
            "to_state": target,
            "reason": "",
            "data": {"import": job_id},
        },
    )
    workers = ("workers_male", "workers_female", "workers_unspecified")
    pairs = []
    for pk, item in zip(ids, items, strict=True):
        values = row_template.copy()
        values["id"] = pk
        data = item.data["data"]
        for key, value in data.items():
            if key in _FOREIGN:
                values[_FOREIGN[key]] = value.pk if value is not None else None
            elif value is None and key in string_default:
                values[key] = ""
            else:
                values[key] = value
        for key in workers:
            if values[key] is None:
                values[key] = 0
        derived = _Derived()
        for key in _DERIVE_READS:
            setattr(derived, key, values[key])
        derived.kelurahan = data.get("kelurahan")
        for key in DERIVED_FIELDS:
            setattr(derived, key, values[key])
        enterprise_derive(derived)
        for key in DERIVED_FIELDS:
            values[key] = getattr(derived, key)
        nik = values["owner_nik"] or ""
        values["owner_nik_hash"] = keyed_hash(nik)
        values["owner_nik"] = encrypt_text(nik) if nik else ""
        item_products = item.data.get("products") or []
        values["product_names"] = product_names_of(p["name"] for p in item_products)
        businesses.add(tuple([values[a] for a in varying]))
        for position, p in enumerate(item_products):
            kbli = p["kbli"]
            products.add(
                (
                    pk,
                    position,
                    kbli.pk,
                    kbli.code,
                    kbli.version,
                    p["name"],
                    p.get("capacity_per_year"),
                    p.get("capacity_unit") or "",
                    p.get("raw_materials") or "",
                    p.get("marketing_reach") or "",
                )
            )
        for c in item.data.get("certifications") or []:
            certifications.add((pk, c["kind"], c.get("number") or "", c.get("expires_on")))
        history.add((pk, f"import #{job_id}, row {item.row}"))
        logs.add((str(pk),))
        pairs.append((pk, item))
    return _Prepared([businesses, products, certifications, history, logs], pairs)


# --- The template -------------------------------------------------------------------------


def template_workbook() -> bytes:
    """The downloadable XLSX template: the columns, an example row, and a sheet of notes."""
    import openpyxl
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Data IKM"
    sheet.append([c.header for c in COLUMNS])
    sheet.append([c.example for c in COLUMNS])
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = bold
        if column.required:
            cell.fill = fill
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(14, len(column.header) + 4)
        if column.key in ("owner_nik", "nib", "phone", "npwp", "postal_code", "rt_rw", "_kbli"):
            for row in range(2, 2002):
                sheet.cell(row=row, column=index).number_format = "@"
    gender = DataValidation(type="list", formula1='"L,P"', allow_blank=True)
    sheet.add_data_validation(gender)
    gender_col = next(i for i, c in enumerate(COLUMNS, start=1) if c.key == "owner_gender")
    letter = sheet.cell(row=2, column=gender_col).column_letter
    gender.add(f"{letter}2:{letter}2001")
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("Petunjuk")
    notes.append(["Kolom", "Wajib", "Keterangan"])
    for c in COLUMNS:
        notes.append([c.header, "ya" if c.required else "", str(c.help)])
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["C"].width = 90
    for cell in notes[1]:
        cell.font = bold
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
