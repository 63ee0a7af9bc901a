"""Issue 9, item 4: importing an office XLSX with full validation, beside django-import-export's
default resource and PostgreSQL COPY of the same rows.

BENCH_IMPORT_ROWS rows (20,000 by default; the issue's figure is 100,000) of 24 columns, end to
end, then each part alone: reading (python-calamine, and openpyxl as the import read before;
BENCH_IMPORT_OPENPYXL_ROWS limits its rows), checking (the dry run: mapping, validation,
duplicates), writing (the job's import step) and COPY of the import's own business rows into the
register's table with its indexes, rolled back: the database's share of the writing."""

import io
import os
import random
import time
import uuid

from .common import result

HEADERS = [
    "Nama Usaha",
    "Merek",
    "Nama Pemilik",
    "NIK",
    "Jenis Kelamin",
    "No. HP",
    "NIB",
    "Bentuk Usaha",
    "Tahun Berdiri",
    "Alamat",
    "RT/RW",
    "Kelurahan",
    "Kecamatan",
    "Kode Pos",
    "Tenaga Kerja Laki-laki",
    "Tenaga Kerja Perempuan",
    "Nilai Investasi",
    "Omzet per Tahun",
    "KBLI",
    "Produk",
    "Kapasitas per Tahun",
    "Satuan",
    "Bahan Baku",
    "Pemasaran",
]


def _rows(n: int, seed: int) -> list[list]:
    """Office-style rows of Kota Malang (the office's own region): names, not codes."""
    from django.conf import settings

    from registry.choices import RegionLevel
    from registry.models import Region
    from registry.seeding import FIRST, LAST, LINES, NAME_WORDS, SUFFIXES, SYLLABLES

    rng = random.Random(seed)
    kecamatan = dict(
        Region.objects.filter(
            level=RegionLevel.KECAMATAN, parent_id=settings.REGION_CODE
        ).values_list("code", "name")
    )
    villages = [
        (name, kecamatan[parent], postal)
        for name, parent, postal in Region.objects.filter(parent_id__in=kecamatan)
        .order_by("code")
        .values_list("name", "parent_id", "postal_code")
    ]
    rows = []
    for i in range(n):
        group, code, product, unit, materials = rng.choice(LINES)
        female = rng.random() < 0.55
        first = rng.choice(FIRST["female" if female else "male"])
        brand = "".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize()
        village, kec, postal = rng.choice(villages)
        male_workers = rng.randint(0, 6)
        rows.append(
            [
                f"{rng.choice(NAME_WORDS[group])} {brand} {rng.choice(SUFFIXES)} {i}",
                brand,
                f"{first} {rng.choice(LAST)}",
                f"3573{rng.randint(1, 5):02d}{rng.randint(1, 28) + (40 if female else 0):02d}"
                f"{rng.randint(1, 12):02d}{rng.randint(60, 99):02d}{i % 10000:04d}",
                "P" if female else "L",
                f"08{rng.choice(['12', '13', '21', '52', '57', '77', '81', '85'])}"
                f"{rng.randint(10_000_000, 99_999_999)}",
                f"{seed % 9 + 1}{(i * 2654435761 + seed) % 10**12:012d}",
                rng.choice(["UD", "CV", "Perorangan", ""]),
                rng.randint(1985, 2025),
                f"Jl. {rng.choice(['Sanan', 'Dinoyo', 'Merdeka', 'Kawi'])} No. {rng.randint(1, 200)}",
                f"{rng.randint(1, 12):03d}/{rng.randint(1, 9):03d}",
                village,
                kec,
                postal or "",
                male_workers,
                rng.randint(1 if male_workers == 0 else 0, 8),
                rng.randint(5, 900) * 1_000_000,
                rng.randint(20, 3000) * 1_000_000,
                code,
                product,
                rng.randint(1, 500) * 100,
                unit,
                materials,
                rng.choice(["Lokal", "Regional", "Nasional"]),
            ]
        )
    return rows


def _xlsx(headers: list[str], rows: list[list]) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("IKM")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _ours(data: bytes, user) -> tuple[float, object]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    from registry.services import imports

    upload = SimpleUploadedFile("bench.xlsx", data)
    with override_settings(REGISTRY_IMPORT_BACKGROUND_ROWS=10**9, REGISTRY_IMPORT_MAX_BYTES=10**10):
        t0 = time.perf_counter()
        job = imports.import_start(upload=upload, actor=user, dry_run=False)
        elapsed = time.perf_counter() - t0
    return elapsed, job


def _import_export(rows: list[list]) -> tuple[float, int, int]:
    """django-import-export's default ModelResource over the same rows (its headers are the
    model's field names and the kelurahan its code: a default resource maps nothing)."""
    import tablib
    from import_export import resources

    from registry.choices import RegionLevel
    from registry.models import Enterprise, Region

    codes = {
        (name, parent): code
        for code, name, parent in Region.objects.filter(
            level__in=[RegionLevel.KELURAHAN, RegionLevel.DESA], code__startswith="35.73."
        ).values_list("code", "name", "parent__name")
    }
    headers = [
        "name",
        "brand",
        "owner_name",
        "owner_nik",
        "phone",
        "address",
        "rt_rw",
        "kelurahan",
        "kecamatan",
        "workers_male",
        "workers_female",
        "workers_total",
        "investment_idr",
        "annual_turnover_idr",
        "status",
        "source",
    ]
    dataset = tablib.Dataset(headers=headers)
    for r in rows:
        kelurahan = codes.get((r[11], r[12]), "")
        dataset.append(
            [
                r[0],
                r[1],
                r[2],
                r[3],
                "+62" + r[5][1:],
                r[9],
                r[10],
                kelurahan,
                kelurahan.rsplit(".", 1)[0] if kelurahan else "",
                r[14],
                r[15],
                r[14] + r[15],
                r[16],
                r[17],
                "verified",
                "import",
            ]
        )
    data = dataset.export("xlsx")
    resource = resources.modelresource_factory(model=Enterprise)()
    t0 = time.perf_counter()
    loaded = tablib.Dataset().load(data, format="xlsx")
    outcome = resource.import_data(loaded, dry_run=False)
    elapsed = time.perf_counter() - t0
    return elapsed, len(rows), outcome.totals.get("error", 0) + len(outcome.invalid_rows)


def _copy_floor(rows: list[list]) -> float:
    from django.db import connection, transaction

    buf = io.StringIO()
    for r in rows:
        buf.write("\t".join("" if v is None else str(v) for v in r) + "\n")
    columns = ", ".join(f"c{i} text" for i in range(len(HEADERS)))
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE bench_copy ({columns}) ON COMMIT DROP")
        buf.seek(0)
        t0 = time.perf_counter()
        cur.cursor.copy_expert("COPY bench_copy FROM STDIN", buf)
        elapsed = time.perf_counter() - t0
    return elapsed


def _register_copy(checked, user) -> tuple[float, int, int]:
    """COPY of the import's own business rows (as the import writes them) into
    registry_enterprise with all its indexes, rolled back: what the database alone costs to take
    the rows into the register. Returns (seconds, rows, indexes)."""
    from django.db import connection, transaction

    from registry.models import Enterprise
    from registry.services import imports

    valid = [c for c in checked if c.data is not None]
    context = imports._CopyContext(
        actor=user,
        target="verified",
        job_id=0,
        content_type_id=0,
    )
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename = %s", [Enterprise._meta.db_table]
        )
        indexes = cur.fetchone()[0]
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Enterprise._meta.db_table, len(valid)],
        )
        ids = [row[0] for row in cur.fetchall()]
        prepared = imports._copy_prepare(valid, ids, context, uuid.uuid4())
        t0 = time.perf_counter()
        prepared.tables[0].write(cur)
        elapsed = time.perf_counter() - t0
        transaction.set_rollback(True)
    return elapsed, len(valid), indexes


def _cleanup(after_id: int) -> None:
    """Remove what the benchmark imported (every business after ``after_id``), and vacuum: the
    dead rows of one run would otherwise slow the next one's look-ups (a 20,000-business
    register read like 250,000 after a few runs)."""
    from django.db import connection

    from ikm_portal.core.models import ActivityLog
    from registry.models import Certification, Enterprise, FieldChange, ImportJob, Product

    Enterprise.objects.filter(id__gt=after_id).delete()
    with connection.cursor() as cur:
        cur.execute(
            f"DELETE FROM {ActivityLog._meta.db_table} "
            "WHERE action = 'enterprise.import' AND object_id::bigint > %s",
            [after_id],
        )
    with connection.cursor() as cur:
        for model in (Enterprise, Product, Certification, FieldChange, ActivityLog, ImportJob):
            cur.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def imports(*, rows: int) -> list[dict]:
    """The import end to end (``import_start`` without a dry run: read, check, write), then its
    parts alone: reading (calamine, and openpyxl as before), checking (mapping, validation,
    duplicates: the dry run), writing (the job's import step); beside COPY of the same rows into
    a bare table and into the register's own table, and django-import-export's default
    resource."""
    from registry.models import Enterprise
    from registry.services import imports as service

    from .common import bench_user

    user = bench_user("office_admin", "bench-admin@bench.ikm.id")
    seed = int(time.time()) % 1000
    data = _rows(rows, seed)
    xlsx = _xlsx(HEADERS, data)
    out = []

    last_id = Enterprise.objects.order_by("-id").values_list("id", flat=True).first() or 0
    copy_s = _copy_floor(data)
    floor = rows / copy_s
    ours_s, job = _ours(xlsx, user)
    write_s = (job.finished_at - job.started_at).total_seconds()
    ours_rate = rows / ours_s
    out.append(
        result(
            "4",
            f"import {rows:,}-row XLSX, full validation (created {job.created_count:,}, "
            f"errors {job.error_rows:,}, duplicates {job.duplicate_rows:,})",
            figure=ours_rate,
            unit="rows/s",
            floor=floor,
            floor_name="COPY of the same rows (database side)",
            target="≥ 8,000 rows/s",
            ok=ours_rate >= 8000,
            seconds=round(ours_s, 1),
        )
    )
    _cleanup(last_id)

    t0 = time.perf_counter()
    sheet = service.read_sheet(io.BytesIO(xlsx), file_format="xlsx")
    calamine_s = time.perf_counter() - t0
    out.append(
        result(
            "4",
            f"  reading the XLSX alone (python-calamine) — {rows:,} rows",
            figure=rows / calamine_s,
            unit="rows/s",
            floor=floor,
            floor_name="COPY",
        )
    )
    openpyxl_rows = min(rows, int(os.environ.get("BENCH_IMPORT_OPENPYXL_ROWS") or rows))
    small = xlsx if openpyxl_rows == rows else _xlsx(HEADERS, data[:openpyxl_rows])
    t0 = time.perf_counter()
    service._xlsx_rows_openpyxl(io.BytesIO(small))
    openpyxl_s = time.perf_counter() - t0
    out.append(
        result(
            "4",
            f"  reading the XLSX alone (openpyxl, read-only, before) — {openpyxl_rows:,} rows",
            figure=openpyxl_rows / openpyxl_s,
            unit="rows/s",
            floor=floor,
            floor_name="COPY",
        )
    )
    t0 = time.perf_counter()
    checked, _meta = service.check_rows(sheet)
    check_s = time.perf_counter() - t0
    out.append(
        result(
            "4",
            f"  checking alone (mapping, validation, duplicates: the dry run) — {rows:,} rows",
            figure=rows / check_s,
            unit="rows/s",
            floor=floor,
            floor_name="COPY",
            seconds=round(check_s, 1),
        )
    )
    out.append(
        result(
            "4",
            f"  writing alone (the job's import step, COPY) — {job.created_count:,} businesses",
            figure=job.created_count / write_s,
            unit="rows/s",
            floor=floor,
            floor_name="COPY",
            seconds=round(write_s, 1),
        )
    )
    register_s, register_rows, indexes = _register_copy(checked, user)
    out.append(
        result(
            "4",
            f"  COPY of the import's business rows into registry_enterprise ({indexes} indexes), "
            "rolled back",
            figure=register_rows / register_s,
            unit="rows/s",
            floor=floor,
            floor_name="COPY",
        )
    )
    ie_rows = min(rows, int(os.environ.get("BENCH_IMPORT_EXPORT_ROWS") or 5000))
    try:
        ie_s, n, errors = _import_export(data[:ie_rows])
        out.append(
            result(
                "4",
                f"  django-import-export default resource, {n:,} of the rows ({errors} errors)",
                figure=n / ie_s,
                unit="rows/s",
                floor=floor,
                floor_name="COPY",
            )
        )
    except ImportError:
        out.append(
            result(
                "4",
                "  django-import-export not installed (pip install -e '.[bench]')",
                figure=0,
                unit="",
            )
        )
    finally:
        _cleanup(last_id)
    return out
