"""Field-level history of a business. Every write path — pages, API, import, merge, change
requests, the admin site — takes a snapshot before, writes, and calls ``history_record`` with the
snapshot after. Values are kept as text (the NIK too: it is masked when shown, see selectors)."""

import uuid
from decimal import Decimal

from ..models import EDITABLE_FIELDS, Enterprise, FieldChange, mask_nik

# Besides what people type: the derived and workflow fields that matter to a reader.
TRACKED_FIELDS = (
    *EDITABLE_FIELDS,
    "owner",
    "kecamatan",
    "size_class",
    "umkm_class",
    "status",
    "status_reason",
    "merged_into",
)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    return str(value)


def _fk_text(enterprise: Enterprise, field: str) -> str:
    pk = getattr(enterprise, f"{field}_id")
    if pk is None:
        return ""
    if field in ("kelurahan", "kecamatan"):
        return str(pk)
    if field == "owner":
        return getattr(enterprise.owner, "email", str(pk))
    if field == "sentra":
        return enterprise.sentra.name
    return str(pk)


def product_summary(product) -> str:
    capacity = ""
    if product.capacity_per_year is not None:
        capacity = f" {_text(product.capacity_per_year)} {product.capacity_unit}/th"
    reach = f" [{product.marketing_reach}]" if product.marketing_reach else ""
    return f"{product.kbli_code} {product.name}{capacity}{reach}".strip()


def certification_summary(cert) -> str:
    parts = [cert.kind, cert.number, cert.expires_on.isoformat() if cert.expires_on else ""]
    return " ".join(p for p in parts if p)


def enterprise_snapshot(enterprise: Enterprise, *, related: bool = True) -> dict[str, str]:
    """The tracked values of a business as text. `related=False` skips products and
    certifications (one query each) for writes that do not touch them."""
    snap: dict[str, str] = {}
    for field in TRACKED_FIELDS:
        descriptor = Enterprise._meta.get_field(field)
        if descriptor.is_relation:
            snap[field] = _fk_text(enterprise, field)
        else:
            snap[field] = _text(getattr(enterprise, field))
    if related and enterprise.pk:
        snap["products"] = "; ".join(product_summary(p) for p in enterprise.products.all())
        snap["certifications"] = "; ".join(
            certification_summary(c) for c in enterprise.certifications.all()
        )
    return snap


def stored_value(field: str, value: str) -> str:
    """What the history keeps of a value: the NIK only masked (it is encrypted on the record
    itself; the history is read by every office user)."""
    return mask_nik(value) if field == "owner_nik" else value


def history_changes(before: dict[str, str], after: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {
        field: (before.get(field, ""), new)
        for field, new in after.items()
        if before.get(field, "") != new
    }


def history_record(
    *,
    enterprise: Enterprise,
    actor,
    source: str,
    before: dict[str, str],
    after: dict[str, str],
    batch: uuid.UUID | None = None,
) -> list[FieldChange]:
    """Write one FieldChange per field that differs between the two snapshots."""
    changes = history_changes(before, after)
    if not changes:
        return []
    batch = batch or uuid.uuid4()
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    rows = [
        FieldChange(
            enterprise=enterprise,
            batch=batch,
            actor=actor,
            source=source,
            field=field,
            old_value=stored_value(field, old),
            new_value=stored_value(field, new),
        )
        for field, (old, new) in changes.items()
    ]
    return FieldChange.objects.bulk_create(rows)


def history_rows_for_create(
    *, enterprise: Enterprise, actor, source: str, after: dict[str, str], batch=None
) -> list[FieldChange]:
    """Unsaved rows for a new record (old values empty): the bulk import saves them in batches."""
    batch = batch or uuid.uuid4()
    actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return [
        FieldChange(
            enterprise=enterprise,
            batch=batch,
            actor=actor,
            source=source,
            field=field,
            old_value="",
            new_value=stored_value(field, new),
        )
        for field, new in after.items()
        if new
    ]
