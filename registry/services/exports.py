"""Exporting the (filtered) register to CSV or XLSX.

The columns are the import template's, so an export can be imported elsewhere, plus the
record's id, status and derived classes. The NIK is masked; a user holding
``registry.unmask_nik`` may ask for full NIKs with a reason (the API's ``unmask_nik``). Every
export writes one row per business in the personal-data access log (who, whose, when, format,
whether unmasked, why) before the file is produced; text cells beginning with = + - @ (or a tab or carriage return) are
prefixed with an apostrophe so that no spreadsheet runs them as formulas."""

import csv
import tempfile

from django.core.exceptions import PermissionDenied
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from ikm_portal.core.exceptions import ApplicationError
from ikm_portal.core.services import activity_log
from ikm_portal.datarights.choices import AccessAction, AccessChannel
from ikm_portal.datarights.services import access_log_record_queryset

from ..models import Enterprise, mask_nik
from ..permissions import can_unmask_nik

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

HEADERS = (
    "ID",
    "Status",
    "Nama Usaha",
    "Merek",
    "Nama Pemilik",
    "NIK",
    "Jenis Kelamin",
    "No. HP",
    "Email",
    "NIB",
    "NPWP",
    "Bentuk Usaha",
    "Tahun Berdiri",
    "Sentra",
    "Alamat",
    "RT/RW",
    "Kelurahan",
    "Kode Kelurahan",
    "Kecamatan",
    "Kode Pos",
    "Lintang",
    "Bujur",
    "Tenaga Kerja Laki-laki",
    "Tenaga Kerja Perempuan",
    "Jumlah Tenaga Kerja",
    "Nilai Investasi",
    "Nilai Tanah dan Bangunan",
    "Omzet per Tahun",
    "Modal Usaha",
    "Kelas Industri",
    "Kelas UMKM",
    "KBLI",
    "Produk",
    "Sertifikat",
    "Terdaftar",
    "Diverifikasi",
)


def neutralise(value):
    """Text that a spreadsheet would take for a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(DANGEROUS_PREFIXES):
        return "'" + value
    return value


def _row(e: Enterprise, *, unmask: bool) -> list:
    products = list(e.products.all())
    return [
        e.pk,
        e.get_status_display(),
        e.name,
        e.brand,
        e.owner_name,
        e.owner_nik if unmask else mask_nik(e.owner_nik),
        {"male": "L", "female": "P"}.get(e.owner_gender, ""),
        e.phone,
        e.email,
        e.nib,
        e.npwp,
        e.get_legal_form_display() if e.legal_form else "",
        e.year_established,
        e.sentra.name if e.sentra_id else "",
        e.address,
        e.rt_rw,
        e.kelurahan.name if e.kelurahan_id else "",
        e.kelurahan_id or "",
        e.kecamatan.name if e.kecamatan_id else "",
        e.postal_code,
        float(e.latitude) if e.latitude is not None else None,
        float(e.longitude) if e.longitude is not None else None,
        e.workers_male,
        e.workers_female,
        e.workers_total,
        e.investment_idr,
        e.land_building_idr,
        e.annual_turnover_idr,
        e.modal_usaha_idr,
        e.size_class,
        e.umkm_class,
        ", ".join(p.kbli_code for p in products),
        ", ".join(p.name for p in products),
        ", ".join(c.kind for c in e.certifications.all()),
        timezone.localtime(e.created_at).strftime("%Y-%m-%d"),
        timezone.localtime(e.verified_at).strftime("%Y-%m-%d") if e.verified_at else "",
    ]


def export_rows(queryset, *, unmask: bool = False):
    """Header then one neutralised row per business, streamed in chunks."""
    yield list(HEADERS)
    qs = queryset.select_related("kelurahan", "kecamatan", "sentra").prefetch_related(
        "products", "certifications"
    )
    for enterprise in qs.iterator(chunk_size=2000):
        yield [neutralise(v) for v in _row(enterprise, unmask=unmask)]


class _Echo:
    def write(self, value):
        return value


def export_log(*, queryset, fmt: str, user, unmask: bool, reason: str, path: str = "") -> int:
    """One access-log row per exported business (its owner, if any, is the data subject),
    written by the database in one statement before the file is produced."""
    return access_log_record_queryset(
        action=AccessAction.EXPORT,
        actor=user,
        queryset=queryset,
        subject_user="owner_id",
        subject_name=Coalesce(NullIf(F("owner_name"), Value("")), F("name")),
        channel=AccessChannel.EXPORT,
        reason=reason,
        path=path,
        details={"format": fmt, "unmasked": unmask},
    )


def export_response(
    *, queryset, fmt: str, user, unmask: bool = False, reason: str = "", path: str = ""
):
    reason = (reason or "").strip()
    if unmask:
        if not can_unmask_nik(user):
            raise PermissionDenied
        if len(reason) < 5:
            raise ApplicationError(
                _("Say why you need the full NIK (at least 5 characters)."),
                field_errors={"reason": [_("Say why you need the full NIK.")]},
            )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    rows = export_log(
        queryset=queryset, fmt=fmt, user=user, unmask=unmask, reason=reason, path=path
    )
    activity_log(
        target=user,
        action="registry.export",
        actor=user,
        data={"format": fmt, "unmasked": unmask, "rows": rows},
    )
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def stream():
            yield "\ufeff"  # a BOM so that Excel reads UTF-8
            for row in export_rows(queryset, unmask=unmask):
                yield writer.writerow(["" if v is None else v for v in row])

        response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ikm-{stamp}.csv"'
        return response
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Data IKM")
    for row in export_rows(queryset, unmask=unmask):
        sheet.append(row)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 — FileResponse closes it
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"ikm-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
