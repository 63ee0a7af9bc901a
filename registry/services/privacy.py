"""Personal data of the registry under UU 27/2022: unmasking a NIK (logged), the owner's data
download, erasure and the retention of stale drafts. The platform's data-rights app
(ikm_portal/datarights) calls the last three through RegistryConfig's hooks."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from ikm_portal.core.exceptions import ApplicationError
from ikm_portal.core.services import activity_log
from ikm_portal.datarights.choices import AccessAction
from ikm_portal.datarights.extensions import holds_cover
from ikm_portal.datarights.services import Subject, access_log_record

from ..choices import DocumentKind, EnterpriseStatus
from ..models import ChangeRequest, Enterprise, FieldChange
from ..permissions import can_unmask_nik

# The owner's personal data on a business record. A verified record keeps its business facts
# (name, NIB, KBLI, products, workers, money, kelurahan) for the register; these go.
PERSONAL_FIELDS = {
    "owner_name": "",
    "owner_nik": "",
    "owner_gender": "",
    "phone": "",
    "email": "",
    "address": "",
    "rt_rw": "",
    "latitude": None,
    "longitude": None,
}
HAS_PERSONAL_DATA = (
    ~Q(owner_name="") | ~Q(owner_nik_hash="") | ~Q(phone="") | ~Q(email="") | ~Q(address="")
)


def enterprise_nik_unmask(*, enterprise: Enterprise, actor, reason: str, channel: str, path=""):
    """The full NIK for an office user holding ``registry.unmask_nik``, once, with a reason; the
    access log records who, whose, when and why before the NIK is returned."""
    if not can_unmask_nik(actor):
        raise PermissionDenied
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise ApplicationError(
            _("Say why you need the full NIK (at least 5 characters)."),
            field_errors={"reason": [_("Say why you need the full NIK.")]},
        )
    if not enterprise.owner_nik:
        return ""
    access_log_record(
        action=AccessAction.UNMASK,
        actor=actor,
        subjects=[
            Subject.of(
                record=enterprise,
                user_id=enterprise.owner_id,
                name=enterprise.owner_name or enterprise.name,
            )
        ],
        channel=channel,
        reason=reason,
        path=path,
    )
    return enterprise.owner_nik


# --- "Download all my data" -------------------------------------------------------------------

_EXPORT_FIELDS = (
    "status",
    "owner_name",
    "owner_nik",
    "owner_gender",
    "phone",
    "email",
    "name",
    "brand",
    "nib",
    "npwp",
    "legal_form",
    "year_established",
    "address",
    "rt_rw",
    "postal_code",
    "latitude",
    "longitude",
    "workers_male",
    "workers_female",
    "workers_unspecified",
    "investment_idr",
    "land_building_idr",
    "annual_turnover_idr",
    "modal_usaha_idr",
    "size_class",
    "umkm_class",
    "created_at",
    "submitted_at",
    "verified_at",
)


def personal_data_export(user) -> dict:
    """The owner's businesses with everything recorded about them (the owner sees their NIK)."""
    businesses = []
    qs = (
        Enterprise.objects.filter(owner=user)
        .select_related("kelurahan", "kecamatan", "sentra")
        .prefetch_related("products", "certifications", "documents", "facilitations")
        .order_by("pk")
    )
    for e in qs:
        row = {field: getattr(e, field) for field in _EXPORT_FIELDS}
        row["id"] = e.pk
        row["kelurahan"] = e.kelurahan.name if e.kelurahan_id else ""
        row["kecamatan"] = e.kecamatan.name if e.kecamatan_id else ""
        row["sentra"] = e.sentra.name if e.sentra_id else ""
        row["products"] = [
            {"kbli": p.kbli_code, "name": p.name, "raw_materials": p.raw_materials}
            for p in e.products.all()
        ]
        row["certifications"] = [
            {"kind": c.kind, "number": c.number, "expires_on": c.expires_on}
            for c in e.certifications.all()
        ]
        row["documents"] = [
            {"kind": d.kind, "file_name": d.original_name, "uploaded_at": d.created_at}
            for d in e.documents.all()
        ]
        row["facilitations"] = [
            {"kind": f.kind, "date": f.date, "status": f.status, "note": f.note}
            for f in e.facilitations.all()
        ]
        row["change_requests"] = [
            {"data": c.data, "note": c.note, "status": c.status, "created_at": c.created_at}
            for c in e.change_requests.all()
        ]
        row["history"] = [
            {"time": h.changed_at, "field": h.field, "old": h.old_value, "new": h.new_value}
            for h in FieldChange.objects.filter(enterprise=e).order_by("changed_at", "pk")
        ]
        businesses.append(row)
    return {"businesses": businesses} if businesses else {}


# --- Erasure and retention --------------------------------------------------------------------


def _anonymise(enterprise: Enterprise, *, actor, keep_facts: bool, reason: str) -> None:
    """Blank the owner's personal data on one record, its history and its change requests.

    keep_facts=False (never verified): the record is also archived and its documents deleted.
    keep_facts=True (verified once): the business facts stay for the register; KTP scans go."""
    # The NIK is encrypted at rest; its keyed hash (owner_nik_hash) follows it on every save,
    # so blanking the NIK blanks the hash too.
    fields = list(PERSONAL_FIELDS)
    for field, value in PERSONAL_FIELDS.items():
        setattr(enterprise, field, value)
    enterprise.owner = None
    fields.append("owner")
    from_status = enterprise.status
    if not keep_facts and enterprise.status != EnterpriseStatus.REJECTED:
        enterprise.status = EnterpriseStatus.ARCHIVED
        fields.append("status")
    enterprise.save(update_fields=[*fields, "updated_at"])
    FieldChange.objects.filter(enterprise=enterprise, field__in=list(PERSONAL_FIELDS)).update(
        old_value="", new_value=""
    )
    for change in ChangeRequest.objects.filter(enterprise=enterprise):
        change.data = {k: v for k, v in change.data.items() if k not in PERSONAL_FIELDS}
        change.note = ""
        change.save(update_fields=["data", "note", "updated_at"])
    documents = enterprise.documents.all()
    if keep_facts:
        documents = documents.filter(kind=DocumentKind.KTP)
    for document in documents:
        document.file.delete(save=False)
        document.delete()
    activity_log(
        target=enterprise,
        action="enterprise.anonymised",
        actor=actor,
        from_state=from_status,
        to_state=enterprise.status,
        reason=reason,
    )


def personal_data_erase(user, *, actor, holds) -> list[tuple[str, str]]:
    kept = []
    for enterprise in Enterprise.objects.filter(owner=user).order_by("pk"):
        if holds_cover(holds, "registry.enterprise", enterprise.pk):
            continue  # an open programme needs it as it is; the hold says so
        keep_facts = enterprise.verified_at is not None
        _anonymise(enterprise, actor=actor, keep_facts=keep_facts, reason="erasure request")
        if keep_facts:
            kept.append(
                (
                    _(
                        "Business %(name)s: its name, NIB, KBLI, products, workers, investment "
                        "and kelurahan"
                    )
                    % {"name": enterprise.name or enterprise.pk},
                    _(
                        "The office must keep its register of industry (UU 3/2014 on Industry, "
                        "PP 2/2017 on the national industry information system). It is kept "
                        "without your name, NIK, contacts or street address."
                    ),
                )
            )
    return kept


def personal_data_retention(*, cutoff) -> list[tuple[str, int]]:
    """Drafts and rejected registrations untouched since ``cutoff`` lose their personal data
    (drafts are archived too). Only records that still hold personal data are selected, so a
    second run finds nothing."""
    stale = (
        Enterprise.objects.filter(
            status__in=[EnterpriseStatus.DRAFT, EnterpriseStatus.REJECTED],
            updated_at__lt=cutoff,
            verified_at__isnull=True,
        )
        .filter(HAS_PERSONAL_DATA)
        .order_by("pk")
    )
    count = 0
    for pk in stale.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            enterprise = Enterprise.objects.select_for_update().get(pk=pk)
            _anonymise(enterprise, actor=None, keep_facts=False, reason="retention")
            count += 1
    return [(_("Registry drafts and rejected registrations"), count)] if count else []
