from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

from ..choices import (
    CertificationKind,
    ChangeRequestStatus,
    DuplicateKind,
    EnterpriseStatus,
    Gender,
    HistorySource,
    LegalForm,
    SizeClass,
    UmkmClass,
)
from ..models import Enterprise

register = template.Library()

_CHOICES = {
    "status": EnterpriseStatus,
    "owner_gender": Gender,
    "legal_form": LegalForm,
    "size_class": SizeClass,
    "umkm_class": UmkmClass,
}
_EXTRA_LABELS = {
    "products": _("Products"),
    "certifications": _("Certifications"),
    "documents": _("Documents"),
    "facilitation": _("Facilitation"),
    "merged_from": _("Merged from"),
    "owner": _("owner account"),
}


@register.filter
def status_label(code: str) -> str:
    """The label of a business status code ('' stays '')."""
    for choices in (EnterpriseStatus, ChangeRequestStatus):
        if code in choices.values:
            return choices(code).label
    return code or ""


@register.filter
def field_label(field: str) -> str:
    if field in _EXTRA_LABELS:
        return _EXTRA_LABELS[field]
    try:
        return Enterprise._meta.get_field(field).verbose_name
    except FieldDoesNotExist:  # an unknown name is shown as is
        return field


@register.filter
def history_value(value: str, field: str) -> str:
    choices = _CHOICES.get(field)
    if choices is not None and value in choices.values:
        return choices(value).label
    return value


@register.filter
def duplicate_kind(code: str) -> str:
    return DuplicateKind(code).label if code in DuplicateKind.values else code


@register.filter
def history_source(code: str) -> str:
    return HistorySource(code).label if code in HistorySource.values else code


@register.filter
def certification_kind(code: str) -> str:
    return CertificationKind(code).label if code in CertificationKind.values else code


@register.filter
def get_count(counts: dict, key: str) -> int:
    return counts.get(key, 0)


_ACTIVITY = {
    "enterprise.create": _("Registered"),
    "enterprise.submit": _("Submitted"),
    "enterprise.verify": _("Verified"),
    "enterprise.request_revision": _("Revision asked"),
    "enterprise.reject": _("Rejected"),
    "enterprise.archive": _("Archived"),
    "enterprise.merge": _("Merged"),
    "enterprise.import": _("Imported"),
    "change_request.approved": _("Change request approved"),
    "change_request.refused": _("Change request refused"),
    "change_request.withdrawn": _("Change request withdrawn"),
    "claim.approved": _("Claim confirmed"),
    "claim.refused": _("Claim refused"),
}


@register.filter
def activity_label(action: str) -> str:
    return _ACTIVITY.get(action, action)
