"""The office's facilitation records and the documents of a business."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ikm_portal.core.exceptions import ApplicationError
from ikm_portal.core.services import activity_log, model_update
from ikm_portal.core.uploads import validate_upload

from ..choices import HistorySource
from ..models import Document, Enterprise, FacilitationRecord
from ..permissions import can_edit, is_office
from .history import history_record

DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}


def _facilitation_text(record: FacilitationRecord) -> str:
    return f"{record.kind} {record.date.isoformat()} {record.status} {record.note}".strip()


@transaction.atomic
def facilitation_create(
    *, enterprise: Enterprise, actor, kind: str, date, status: str, note: str = ""
) -> FacilitationRecord:
    if not (is_office(actor) and actor.has_perm("registry.add_facilitationrecord")):
        raise PermissionDenied
    record = FacilitationRecord.objects.create(
        enterprise=enterprise, kind=kind, date=date, status=status, note=note, recorded_by=actor
    )
    history_record(
        enterprise=enterprise,
        actor=actor,
        source=HistorySource.PAGE,
        before={"facilitation": ""},
        after={"facilitation": _facilitation_text(record)},
    )
    activity_log(
        target=enterprise,
        action="facilitation.create",
        actor=actor,
        to_state=status,
        data={"facilitation": record.pk, "kind": kind},
    )
    return record


@transaction.atomic
def facilitation_update(*, record: FacilitationRecord, actor, data: dict) -> FacilitationRecord:
    if not (is_office(actor) and actor.has_perm("registry.change_facilitationrecord")):
        raise PermissionDenied
    before = _facilitation_text(record)
    old_status = record.status
    record, changed = model_update(instance=record, data=data)
    if changed:
        history_record(
            enterprise=record.enterprise,
            actor=actor,
            source=HistorySource.PAGE,
            before={"facilitation": before},
            after={"facilitation": _facilitation_text(record)},
        )
        activity_log(
            target=record.enterprise,
            action="facilitation.update",
            actor=actor,
            from_state=old_status,
            to_state=record.status,
            data={"facilitation": record.pk, "fields": changed},
        )
    return record


def document_check(upload) -> str:
    """The file's type by content (pdf, jpeg, png; ikm_portal/core/uploads.py) or an
    ApplicationError naming the field."""
    try:
        return validate_upload(upload, kind="document")
    except ValidationError as exc:
        message = exc.messages[0]
        raise ApplicationError(message, field_errors={"file": [message]}) from exc


@transaction.atomic
def document_add(*, enterprise: Enterprise, actor, kind: str, upload) -> Document:
    """Owners add documents while they may edit the record; staff at any time."""
    if not (is_office(actor) or can_edit(actor, enterprise)):
        raise PermissionDenied
    suffix = document_check(upload)
    document = Document.objects.create(
        enterprise=enterprise,
        kind=kind,
        file=upload,
        original_name=upload.name[-200:],
        content_type=DOCUMENT_TYPES[suffix],
        size=upload.size,
        uploaded_by=actor,
    )
    history_record(
        enterprise=enterprise,
        actor=actor,
        source=HistorySource.PAGE,
        before={"documents": ""},
        after={"documents": f"+ {kind} {document.original_name}"},
    )
    return document


@transaction.atomic
def document_delete(*, document: Document, actor) -> None:
    enterprise = document.enterprise
    if not (is_office(actor) or can_edit(actor, enterprise)):
        raise PermissionDenied
    name = f"{document.kind} {document.original_name}"
    storage, stored = document.file.storage, document.file.name
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored))
    history_record(
        enterprise=enterprise,
        actor=actor,
        source=HistorySource.PAGE,
        before={"documents": name},
        after={"documents": f"- {name}"},
    )


@transaction.atomic
def sentra_save(*, instance, data: dict, actor):
    """Create or change a sentra of the office's list."""
    from ..models import Sentra

    if not is_office(actor):
        raise PermissionDenied
    if instance is None:
        sentra = Sentra.objects.create(**data)
        activity_log(target=sentra, action="sentra.create", actor=actor)
        return sentra
    sentra, changed = model_update(instance=instance, data=data)
    if changed:
        activity_log(target=sentra, action="sentra.update", actor=actor, data={"fields": changed})
    return sentra
