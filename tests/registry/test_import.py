import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from registry.choices import EnterpriseStatus, ImportStatus
from registry.errors import ImportFileError
from registry.models import Enterprise, FieldChange, ImportJob
from registry.services import imports
from tests.factories import VerifiedEnterpriseFactory

pytestmark = pytest.mark.django_db

HEADERS = [
    "Nama Usaha",
    "Nama Pemilik",
    "NIK",
    "Jenis Kelamin",
    "No. HP",
    "NIB",
    "Alamat",
    "Kelurahan",
    "Kecamatan",
    "Jumlah Tenaga Kerja",
    "Nilai Investasi",
    "Omzet per Tahun",
    "KBLI",
    "Produk",
    "Sertifikat",
]


def good_row(i: int) -> list:
    return [
        f"Usaha Contoh {i}",
        f"Pemilik {i}",
        f"35730545128{50000 + i:05d}"[:16],
        "P",
        f"0813{10000000 + i:08d}",
        f"{9120000000000 + i:013d}",
        f"Jl. Contoh {i}",
        "Dinoyo",
        "Lowokwaru",
        "4",
        "Rp 50.000.000",
        "120.000.000",
        "10391",
        "Tempe",
        "Halal, PIRT",
    ]


def xlsx(rows, headers=HEADERS, title_rows=0) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for _ in range(title_rows):
        sheet.append(["DATA IKM KOTA MALANG 2025"])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, headers=HEADERS, encoding="utf-8-sig", delimiter=";") -> bytes:
    lines = [delimiter.join(headers)] + [delimiter.join(str(c) for c in r) for r in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(content: bytes, name="data.xlsx"):
    return SimpleUploadedFile(name, content)


def start(staff, content, name="data.xlsx", **kwargs):
    return imports.import_start(upload=upload(content, name), actor=staff, **kwargs)


def test_dry_run_writes_nothing_and_reports(reference, staff):
    job = start(staff, xlsx([good_row(1), good_row(2)]))
    job.refresh_from_db()
    assert (job.status, job.total_rows, job.valid_rows, job.error_rows) == (
        ImportStatus.VALIDATED,
        2,
        2,
        0,
    )
    assert Enterprise.objects.count() == 0


def test_confirm_imports_valid_rows_with_history(reference, staff):
    job = start(staff, xlsx([good_row(1), good_row(2)]))
    job = imports.import_confirm(job=job, actor=staff)
    assert (job.status, job.created_count) == (ImportStatus.DONE, 2)
    e = Enterprise.objects.get(name="Usaha Contoh 1")
    assert (e.status, e.source, e.kelurahan_id, e.kecamatan_id) == (
        "verified",
        "import",
        "35.73.05.1004",
        "35.73.05",
    )
    assert (e.owner_gender, e.phone, e.workers_total, e.workers_unspecified) == (
        "female",
        "+6281310000001",
        4,
        4,
    )
    assert (e.investment_idr, e.annual_turnover_idr, e.size_class) == (
        50_000_000,
        120_000_000,
        "kecil",
    )
    assert e.postal_code == "65144"  # the kelurahan's postal code
    assert list(e.products.values_list("kbli_code", "name")) == [("10391", "Tempe")]
    assert sorted(e.certifications.values_list("kind", flat=True)) == ["halal", "pirt"]
    created = FieldChange.objects.get(enterprise=e)
    assert (created.source, created.field, created.actor) == ("import", "created", staff)
    assert created.new_value == f"import #{job.pk}, row 2"


def test_bad_rows_are_reported_per_row_and_column(reference, staff):
    bad = good_row(2)
    bad[2] = "12345"  # NIK
    bad[7] = "Kelurahan Antah"  # kelurahan
    bad[9] = "0"  # workers
    bad[10] = "-5"  # investment
    bad[12] = "46100"  # not section C
    job = start(staff, xlsx([good_row(1), bad], title_rows=1))
    job.refresh_from_db()
    assert (job.valid_rows, job.error_rows) == (1, 1)
    errors = {(e["row"], e["column"]) for e in job.report["errors"]}
    assert errors == {
        (4, "NIK"),
        (4, "Kelurahan"),
        (4, "Jumlah Tenaga Kerja"),
        (4, "Nilai Investasi"),
        (4, "KBLI"),
    }


def test_missing_required_column_fails_the_file(reference, staff):
    with pytest.raises(ImportFileError) as exc:
        start(staff, xlsx([["A", "B"]], headers=["Nama Usaha", "Nama Pemilik"]))
    assert "Alamat" in str(exc.value.message)


def test_required_cells_are_reported(reference, staff):
    row = good_row(1)
    row[0] = ""
    job = start(staff, xlsx([row]))
    job.refresh_from_db()
    assert [(e["row"], e["column"]) for e in job.report["errors"]] == [(2, "Nama Usaha")]


def test_csv_utf8_semicolon(reference, staff):
    job = start(staff, csv_bytes([good_row(1)]), name="data.csv")
    job.refresh_from_db()
    assert (job.encoding, job.valid_rows) == ("utf-8", 1)


def test_csv_windows_1252(reference, staff):
    row = good_row(1)
    row[1] = "José Suwarni"
    job = start(staff, csv_bytes([row], encoding="cp1252", delimiter=","), name="data.csv")
    imports.import_confirm(job=ImportJob.objects.get(pk=job.pk), actor=staff)
    assert Enterprise.objects.get().owner_name == "José Suwarni"
    assert ImportJob.objects.get(pk=job.pk).encoding == "windows-1252"


def test_csv_in_utf16_is_refused(reference, staff):
    with pytest.raises(ImportFileError) as exc:
        start(staff, csv_bytes([good_row(1)], encoding="utf-16"), name="data.csv")
    assert "UTF-16" in str(exc.value.message)


@pytest.mark.parametrize(
    "content, name, fragment",
    [
        (b"", "data.csv", "Berkas kosong."),
        (";".join(HEADERS).encode(), "data.csv", "tidak ada baris data"),
        (b"PK\x03\x04garbage", "data.xlsx", "XLSX"),
        (b"x", "data.pdf", "XLSX atau CSV"),
        (b"x", "data.xls", ".xlsx"),
    ],
)
def test_unreadable_files_are_refused(reference, staff, content, name, fragment):
    with pytest.raises(ImportFileError) as exc:
        start(staff, content, name=name)
    assert fragment in str(exc.value.message)


def test_nik_typed_as_a_number_is_an_error(reference, staff):
    row = good_row(1)
    row[2] = 3573054512850001
    job = start(staff, xlsx([row]))
    job.refresh_from_db()
    assert job.report["errors"][0]["column"] == "NIK"
    assert "15 digit" in job.report["errors"][0]["message"]


def test_phone_typed_as_a_number_gets_its_zero_back(reference, staff):
    row = good_row(1)
    row[4] = 81234567890
    job = imports.import_confirm(job=start(staff, xlsx([row])), actor=staff)
    assert job.created_count == 1
    assert Enterprise.objects.get().phone == "+6281234567890"


def test_exact_duplicates_are_errors_near_ones_are_reported(reference, staff):
    existing = VerifiedEnterpriseFactory(nib=f"{9120000000000 + 1:013d}", name="Lain")
    near = VerifiedEnterpriseFactory(nib="", name="Usaha Contoh 3 Jaya", phone="+6281310000003")
    rows = [good_row(1), good_row(2), good_row(2), good_row(3)]
    rows[2][0] = "Usaha Lain"  # same NIB as row 3 of the file
    job = start(staff, xlsx(rows))
    job.refresh_from_db()
    errors = [(e["row"], e["column"]) for e in job.report["errors"]]
    assert errors == [(2, "NIB"), (4, "NIB")]
    kinds = {
        (d["row"], d["kind"], d.get("existing_id"), d.get("other_row"))
        for d in job.report["duplicates"]
    }
    assert (2, "exact_nib", existing.pk, None) in kinds
    assert (4, "exact_nib", None, 3) in kinds
    assert (5, "same_phone", near.pk, None) in kinds
    assert (5, "similar_name", near.pk, None) in kinds


def test_all_or_nothing_imports_nothing_when_a_row_fails(reference, staff):
    bad = good_row(2)
    bad[2] = "123"
    job = start(staff, xlsx([good_row(1), bad]), mode="all_or_nothing")
    job = imports.import_confirm(job=job, actor=staff)
    assert (job.status, job.created_count) == (ImportStatus.FAILED, 0)
    assert "Nothing was imported" in job.error or "Tidak ada" in job.error
    assert Enterprise.objects.count() == 0


def test_valid_rows_mode_skips_the_bad_ones(reference, staff):
    bad = good_row(2)
    bad[2] = "123"
    job = imports.import_confirm(job=start(staff, xlsx([good_row(1), bad])), actor=staff)
    assert (job.status, job.created_count, job.error_rows) == (ImportStatus.DONE, 1, 1)


def test_submitted_target_puts_rows_in_the_queue(reference, staff):
    job = start(staff, xlsx([good_row(1)]), target_status=EnterpriseStatus.SUBMITTED)
    imports.import_confirm(job=job, actor=staff)
    assert Enterprise.objects.get().status == "submitted"


def test_confirm_twice_imports_once(reference, staff):
    job = start(staff, xlsx([good_row(1)]))
    imports.import_confirm(job=job, actor=staff)
    from ikm_portal.core.exceptions import Conflict

    with pytest.raises(Conflict):
        imports.import_confirm(job=ImportJob.objects.get(pk=job.pk), actor=staff)
    assert imports.import_run(job_id=job.pk, actor=staff) is None
    assert Enterprise.objects.count() == 1


def test_template_round_trip(reference, staff, client_as):
    content = client_as(staff).get("/registry/imports/template.xlsx").content
    job = start(staff, content)
    job.refresh_from_db()
    assert (job.valid_rows, job.error_rows) == (1, 0)


def test_large_file_runs_in_the_background_with_progress(
    reference, staff, settings, django_capture_on_commit_callbacks
):
    settings.REGISTRY_IMPORT_BACKGROUND_ROWS = 2
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = start(staff, xlsx([good_row(i) for i in range(1, 6)]))
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.PENDING
    for callback in callbacks:
        callback()  # the Celery task (eager without a broker)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.progress_percent) == (
        ImportStatus.VALIDATED,
        5,
        100,
    )
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(job=job, actor=staff)
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 5)


def test_api_import_dry_run_and_report(reference, staff, api_as):
    bad = good_row(2)
    bad[3] = "X"
    response = api_as(staff).post(
        "/api/v1/enterprises/import/",
        {"file": upload(xlsx([good_row(1), bad])), "dry_run": "true"},
        format="multipart",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["valid_rows"], body["error_rows"]) == ("validated", 1, 1)
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "Jenis Kelamin")]
    assert Enterprise.objects.count() == 0
    confirm = api_as(staff).post(f"/api/v1/enterprises/imports/{body['id']}/confirm/")
    assert (confirm.json()["status"], confirm.json()["created_count"]) == ("done", 1)


def test_api_import_without_dry_run_imports(reference, staff, api_as):
    response = api_as(staff).post(
        "/api/v1/enterprises/import/",
        {"file": upload(xlsx([good_row(1)])), "dry_run": "false"},
        format="multipart",
    )
    assert (response.status_code, response.json()["created_count"]) == (200, 1)


def test_api_import_wrong_type_is_400(reference, staff, api_as):
    response = api_as(staff).post(
        "/api/v1/enterprises/import/", {"file": upload(b"%PDF", "x.pdf")}, format="multipart"
    )
    assert response.status_code == 400
    assert "file" in response.json()


def test_api_import_of_50_mb_is_400(reference, staff, api_as):
    big = SimpleUploadedFile("big.csv", b"0" * (50 * 1024 * 1024))
    response = api_as(staff).post("/api/v1/enterprises/import/", {"file": big}, format="multipart")
    assert response.status_code == 400
    assert "20 MB" in response.json()["file"][0]


def test_api_import_forbidden_to_owner(reference, owner, api_as):
    response = api_as(owner).post(
        "/api/v1/enterprises/import/", {"file": upload(xlsx([good_row(1)]))}, format="multipart"
    )
    assert response.status_code == 403


WORDS = [
    "Tempe",
    "Keripik",
    "Batik",
    "Rotan",
    "Mebel",
    "Keramik",
    "Roti",
    "Konveksi",
    "Sepatu",
    "Topeng",
    "Gerabah",
    "Sari Apel",
    "Kue",
    "Anyaman",
    "Tas Kulit",
]
SUFFIX = [
    "Jaya",
    "Makmur",
    "Lestari",
    "Barokah",
    "Sejahtera",
    "Mandiri",
    "Abadi",
    "Sentosa",
    "Rejeki",
    "Arema",
    "Mulya",
    "Berkah",
    "Indah",
    "Sari",
    "Maju",
    "Subur",
    "Tentrem",
]


def test_5000_row_spreadsheet_imports_with_a_correct_error_report(
    reference, staff, django_capture_on_commit_callbacks
):
    """An office spreadsheet of 5,000 rows across Malang's kelurahan: every 50th row has an
    invalid NIK and every 125th an unknown kelurahan; the report names exactly those."""
    from registry.models import Region

    villages = list(Region.objects.filter(level="kelurahan").values_list("name", flat=True))
    rows = []
    for i in range(1, 5001):
        row = good_row(i)
        row[0] = f"{WORDS[i % len(WORDS)]} {SUFFIX[(i // 15) % len(SUFFIX)]} {i}"
        row[7] = villages[i % len(villages)]
        row[8] = ""
        if i % 50 == 0:
            row[2] = "3573050000000000"  # day 00: an invalid NIK
        if i % 125 == 0:
            row[7] = "Atlantis"
        rows.append(row)
    with django_capture_on_commit_callbacks(execute=True):
        job = start(staff, xlsx(rows))  # more than 500 rows: a background task
    job.refresh_from_db()
    bad_rows = {i for i in range(1, 5001) if i % 50 == 0 or i % 125 == 0}
    assert (job.total_rows, job.error_rows, job.valid_rows) == (
        5000,
        len(bad_rows),
        5000 - len(bad_rows),
    )
    reported = {(e["row"] - 1, e["column"]) for e in job.report["errors"]}
    expected = {(i, "NIK") for i in range(1, 5001) if i % 50 == 0} | {
        (i, "Kelurahan") for i in range(1, 5001) if i % 125 == 0
    }
    assert reported == expected
    with django_capture_on_commit_callbacks(execute=True):
        imports.import_confirm(job=job, actor=staff)
    job.refresh_from_db()
    assert (job.status, job.created_count) == (ImportStatus.DONE, 5000 - len(bad_rows))
    assert Enterprise.objects.count() == 5000 - len(bad_rows)
