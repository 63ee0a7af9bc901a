"""Numbers and dates in Indonesian form: Rp 1.500.000, 29 November 2026, 14.30 WIB."""

from decimal import Decimal

from django import template
from django.utils import timezone
from django.utils.formats import date_format

register = template.Library()


def _group(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@register.filter
def rupiah(value) -> str:
    if value in (None, ""):
        return "–"
    try:
        amount = int(Decimal(value))
    except (ArithmeticError, TypeError, ValueError):
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {_group(abs(amount))}"


@register.filter
def number(value) -> str:
    if value in (None, ""):
        return "–"
    try:
        return _group(int(value))
    except (TypeError, ValueError):
        return str(value)


@register.filter
def tanggal(value) -> str:
    if not value:
        return "–"
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        value = timezone.localtime(value)
    return date_format(value, "j F Y")


@register.filter
def waktu(value) -> str:
    if not value:
        return "–"
    value = timezone.localtime(value)
    return f"{date_format(value, 'j F Y')}, {value:%H.%M} WIB"


@register.simple_tag
def status_badge_class(status: str) -> str:
    return STATUS_BADGE.get(status, "text-bg-secondary")


# One colour per meaning across apps: draft grey, waiting blue, needs action amber,
# done green, refused red.
STATUS_BADGE = {
    "draft": "text-bg-secondary",
    "submitted": "text-bg-primary",
    "in_review": "text-bg-primary",
    "reviewing": "text-bg-primary",
    "waitlisted": "text-bg-primary",
    "queued": "text-bg-primary",
    "sending": "text-bg-primary",
    "open": "text-bg-primary",
    "needs_revision": "text-bg-warning",
    "eligible": "text-bg-info",
    "verified": "text-bg-success",
    "selected": "text-bg-success",
    "accepted": "text-bg-success",
    "completed": "text-bg-success",
    "sent": "text-bg-success",
    "active": "text-bg-success",
    "running": "text-bg-success",
    "rejected": "text-bg-danger",
    "ineligible": "text-bg-danger",
    "not_selected": "text-bg-danger",
    "declined": "text-bg-danger",
    "failed": "text-bg-danger",
    "archived": "text-bg-dark",
    "withdrawn": "text-bg-dark",
    "cancelled": "text-bg-dark",
}


@register.filter
def bs_widget(field):
    """Render a bound field's widget with Bootstrap classes and ARIA links to help and errors."""
    widget_type = field.widget_type
    if widget_type in ("select", "selectmultiple", "nullbooleanselect"):
        css = "form-select"
    elif widget_type in ("checkbox", "radioselect", "checkboxselectmultiple"):
        css = "form-check-input"
    else:
        css = "form-control"
    existing = field.field.widget.attrs.get("class", "")
    if field.errors:
        css += " is-invalid"
    described = []
    if field.help_text:
        described.append(f"{field.id_for_label}_help")
    if field.errors:
        described.append(f"{field.id_for_label}_error")
    attrs = {"class": f"{existing} {css}".strip()}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)
