"""Identifier formats shared by every app (../shared/DOMAIN.md)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_PHONE_NATIONAL = re.compile(r"^8[1-9]\d{7,10}$")


def normalize_phone(value: str) -> str:
    """Return an Indonesian mobile number in E.164 (`+628…`).

    Accepts `08…`, `628…` and `+628…`, with spaces, dots or dashes between digits."""
    raw = re.sub(r"[\s.\-()]", "", str(value or ""))
    if raw.startswith("+62"):
        national = raw[3:]
    elif raw.startswith("62"):
        national = raw[2:]
    elif raw.startswith("0"):
        national = raw[1:]
    else:
        national = None
    if national is None or not _PHONE_NATIONAL.match(national):
        raise ValidationError(
            _("Enter a valid Indonesian mobile number, e.g. 0812 3456 7890."), code="invalid_phone"
        )
    return "+62" + national


def validate_phone(value: str) -> None:
    normalize_phone(value)
