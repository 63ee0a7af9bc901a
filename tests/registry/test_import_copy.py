"""The import's COPY writer (PostgreSQL) writes the same rows as its bulk_create path: the
businesses with every column, their products, certifications, history, activity log and
duplicate flags. Also the collision of a row with a business registered after the check."""

import pytest
from django.db import connection

from ikm_portal.core.models import ActivityLog
from registry.choices import ImportMode, ImportStatus
from registry.models import (
    Certification,
    DuplicateFlag,
    Enterprise,
    FieldChange,
    ImportJob,
    Product,
    Sentra,
)
from registry.services import imports
from tests.factories import VerifiedEnterpriseFactory

from .test_import import HEADERS, good_row, start, xlsx

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="COPY is PostgreSQL's; SQLite uses bulk_create"
    ),
]

EXTRA = ["Sentra", "Lintang", "Bujur", "Kapasitas per Tahun", "Satuan", "Pemasaran", "Email"]


def rows() -> list[list]:
    out = []
    for i in range(1, 9):
        row = [*good_row(i), "", "", "", "", "", "", ""]
        out.append(row)
    out[1][0] = "Usaha Contoh 1 Jaya"  # a near duplicate of row 1 in the file
    out[2][4] = out[0][4]  # the same phone as row 1
    out[3][2] = ""  # no NIK: gender as given, no hash
    out[4][6] = "Jl. Miring \\ No. 5\tBlok C\nBelakang pasar"  # COPY's special characters
    out[5][9:12] = ["", "", ""]  # no workers' total, no money
    out[5][9] = "1"
    out[6][15:22] = ["Sentra Tempe", "-7.9666", "112.6326", "1.250,5", "kg", "Ekspor", "a@b.id"]
    out[7][12:15] = ["", "", ""]  # no product, no certification
    return out


def snapshot() -> dict:
    """Every row the import wrote, with ids, times and job numbers replaced by stable names."""
    name_of = dict(Enterprise.objects.values_list("id", "name"))
    moments = ("created_at", "updated_at", "status_changed_at", "submitted_at", "verified_at")

    def business(row):
        return {
            k: (v is not None) if k in moments else name_of.get(v, v) if k == "id" else v
            for k, v in row.items()
        }

    def owned(model, key="enterprise_id", drop=("id",)):
        return sorted(
            (
                tuple(
                    (k, name_of[v] if k in (key, "other_id") else v)
                    for k, v in sorted(row.items())
                    if k not in drop
                )
                for row in model.objects.values()
            ),
            key=repr,
        )

    history = [
        (name_of[r["enterprise_id"]], r["source"], r["field"], r["new_value"].split(",")[1])
        for r in FieldChange.objects.values()
    ]
    logs = [
        (name_of[int(r["object_id"])], r["action"], r["from_state"], r["to_state"], r["reason"])
        for r in ActivityLog.objects.filter(action="enterprise.import").values()
    ]
    return {
        "businesses": sorted(
            (business(r) for r in Enterprise.objects.filter(source="import").values()),
            key=lambda r: r["id"],
        ),
        "products": owned(Product),
        "certifications": owned(Certification),
        "history": sorted(history),
        "logs": sorted(logs),
        "flags": owned(DuplicateFlag, drop=("id", "created_at")),
        "batches": FieldChange.objects.values("batch").distinct().count(),
    }


def run_import(staff, settings, *, copy: bool, mode=ImportMode.VALID_ROWS) -> dict:
    settings.REGISTRY_IMPORT_COPY = copy
    assert imports.copy_writes() is copy
    job = start(staff, xlsx(rows(), headers=HEADERS + EXTRA), mode=mode)
    job = imports.import_confirm(job=job, actor=staff)
    assert (job.status, job.created_count) == (ImportStatus.DONE, 8)
    return snapshot()


@pytest.mark.parametrize("chunk", [5000, 3])
@pytest.mark.parametrize("mode", [ImportMode.VALID_ROWS, ImportMode.ALL_OR_NOTHING])
def test_copy_writes_the_rows_bulk_create_writes(
    reference, staff, settings, monkeypatch, mode, chunk
):
    """chunk 3: several COPY transactions (a writer thread each) and bulk_create batches; the
    flags between rows of different chunks are there too."""
    monkeypatch.setattr(imports, "COPY_CHUNK", chunk)
    monkeypatch.setattr(imports, "CHUNK", chunk)
    Sentra.objects.create(name="Sentra Tempe", active=True)
    near = VerifiedEnterpriseFactory(nib="", name="Usaha Contoh 3 Jaya", phone="+6281310000004")
    orm = run_import(staff, settings, copy=False, mode=mode)
    Enterprise.objects.filter(source="import").delete()
    ActivityLog.objects.filter(action="enterprise.import").delete()
    copied = run_import(staff, settings, copy=True, mode=mode)
    assert copied == orm
    assert len(copied["flags"]) >= 3  # in the file (name, phone) and against `near`
    assert {near.name} <= {v for flag in copied["flags"] for _k, v in flag}
    e = Enterprise.objects.get(name="Usaha Contoh 5")
    assert e.address == "Jl. Miring \\ No. 5\tBlok C\nBelakang pasar"
    assert e.owner_nik == good_row(5)[2]  # encrypted at rest, read back through the field
    assert Enterprise.objects.filter(name="Usaha Contoh 4").values_list(
        "owner_nik", "owner_nik_hash"
    )[0] == ("", "")


@pytest.mark.parametrize("chunk", [5000, 2])
def test_copy_reports_a_row_registered_after_the_check(
    reference, staff, settings, monkeypatch, chunk
):
    monkeypatch.setattr(imports, "COPY_CHUNK", chunk)
    settings.REGISTRY_IMPORT_COPY = True
    assert imports.copy_writes()
    job = start(staff, xlsx([good_row(1), good_row(2), good_row(3)]))
    with job.file.open("rb") as fh:
        sheet = imports.read_sheet(fh, file_format="xlsx")
    checked, _meta = imports.check_rows(sheet)
    VerifiedEnterpriseFactory(nib=good_row(2)[5], name="Lain")  # registered meanwhile
    job = imports.import_run(job_id=job.pk, actor=staff, checked=checked)
    assert (job.status, job.created_count, job.error_rows) == (ImportStatus.DONE, 2, 1)
    assert job.report["errors"][-1]["row"] == 3
    assert set(Enterprise.objects.filter(source="import").values_list("name", flat=True)) == {
        "Usaha Contoh 1",
        "Usaha Contoh 3",
    }


def test_copy_all_or_nothing_writes_nothing_on_a_collision(reference, staff, settings):
    settings.REGISTRY_IMPORT_COPY = True
    job = start(staff, xlsx([good_row(1), good_row(2)]), mode=ImportMode.ALL_OR_NOTHING)
    with job.file.open("rb") as fh:
        checked, _meta = imports.check_rows(imports.read_sheet(fh, file_format="xlsx"))
    VerifiedEnterpriseFactory(nib=good_row(2)[5], name="Lain")
    job = imports.import_run(job_id=job.pk, actor=staff, checked=checked)
    assert job.status == ImportStatus.FAILED
    assert Enterprise.objects.filter(source="import").count() == 0
    assert ImportJob.objects.get(pk=job.pk).created_count == 0


@pytest.mark.django_db(transaction=True)
def test_parallel_writers_outside_a_transaction_write_the_same_rows(
    reference, staff, settings, monkeypatch
):
    """Outside a transaction (a worker, the bench) two writer connections COPY chunks at once;
    the flags, and a row registered meanwhile, are written after them."""
    from django.db import connection as db

    monkeypatch.setattr(imports, "COPY_CHUNK", 2)
    monkeypatch.setattr(imports, "CHUNK", 2)
    Sentra.objects.create(name="Sentra Tempe", active=True)
    VerifiedEnterpriseFactory(nib="", name="Usaha Contoh 3 Jaya", phone="+6281310000004")
    assert not db.in_atomic_block
    orm = run_import(staff, settings, copy=False)
    Enterprise.objects.filter(source="import").delete()
    ActivityLog.objects.filter(action="enterprise.import").delete()
    calls = []
    real = imports._write_copy_parallel
    monkeypatch.setattr(
        imports, "_write_copy_parallel", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    copied = run_import(staff, settings, copy=True)
    assert calls == [1]
    assert copied == orm

    job = start(staff, xlsx([good_row(11), good_row(12), good_row(13)]))
    with job.file.open("rb") as fh:
        checked, _meta = imports.check_rows(imports.read_sheet(fh, file_format="xlsx"))
    VerifiedEnterpriseFactory(nib=good_row(13)[5], name="Lain")  # registered meanwhile
    job = imports.import_run(job_id=job.pk, actor=staff, checked=checked)
    assert (job.status, job.created_count, job.error_rows) == (ImportStatus.DONE, 2, 1)
    assert job.processed_rows == 3  # as before: every valid row was processed
