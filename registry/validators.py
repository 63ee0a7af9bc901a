"""Identifier formats of the registry (../shared/DOMAIN.md). Each ``normalize_*`` returns the
stored form or raises a ValidationError whose message names the field."""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.validators import normalize_phone

from .choices import VILLAGE_LEVELS, Gender, KbliLevel

__all__ = [
    "gender_from_nik",
    "normalize_nib",
    "normalize_nik",
    "normalize_npwp",
    "normalize_phone",
    "normalize_postal_code",
    "normalize_rt_rw",
    "validate_year_established",
]

_SEPARATORS = re.compile(r"[\s.\-/]")


def _digits(value) -> str:
    return _SEPARATORS.sub("", str(value or "").strip())


def normalize_nik(value) -> str:
    """16 digits `PP KK CC DD MM YY SSSS`; the day is 01-31, or 41-71 for women; the month
    01-12. The region prefix is where the NIK was first issued, so it need not be Malang's."""
    nik = _digits(value)
    if not re.fullmatch(r"\d{16}", nik):
        raise ValidationError(_("The NIK must be exactly 16 digits."), code="nik_length")
    province, day, month, sequence = int(nik[:2]), int(nik[6:8]), int(nik[8:10]), nik[12:]
    if province < 11:
        raise ValidationError(
            _("The NIK does not start with a valid province code."), code="nik_region"
        )
    if not (1 <= day <= 31 or 41 <= day <= 71):
        raise ValidationError(
            _("The NIK's birth day (digits 7–8) must be 01–31, or 41–71 for women."),
            code="nik_day",
        )
    if not 1 <= month <= 12:
        raise ValidationError(
            _("The NIK's birth month (digits 9–10) must be 01–12."), code="nik_month"
        )
    if sequence == "0000":
        raise ValidationError(_("The NIK's last four digits cannot be 0000."), code="nik_sequence")
    return nik


def gender_from_nik(nik: str) -> str:
    """Women's NIK carry the birth day plus 40."""
    return Gender.FEMALE if int(nik[6:8]) > 40 else Gender.MALE


def normalize_nib(value) -> str:
    nib = _digits(value)
    if not re.fullmatch(r"\d{13}", nib):
        raise ValidationError(_("The NIB must be exactly 13 digits."), code="nib_length")
    return nib


def normalize_npwp(value) -> str:
    """16 digits since July 2024; a legacy 15-digit NPWP is stored with a leading 0."""
    npwp = _digits(value)
    if re.fullmatch(r"\d{15}", npwp):
        return "0" + npwp
    if not re.fullmatch(r"\d{16}", npwp):
        raise ValidationError(
            _("The NPWP must be 15 digits (legacy) or 16 digits."), code="npwp_length"
        )
    return npwp


def normalize_postal_code(value) -> str:
    code = str(value or "").strip()
    if not re.fullmatch(r"[1-9]\d{4}", code):
        raise ValidationError(_("The postal code must be 5 digits."), code="postal_code")
    return code


def normalize_rt_rw(value) -> str:
    """`1/2`, `01/02`, `RT 1 RW 2` → `001/002`."""
    parts = re.findall(r"\d+", str(value or ""))
    if len(parts) != 2 or any(len(p) > 3 for p in parts) or any(int(p) == 0 for p in parts):
        raise ValidationError(_("Enter the RT/RW as two numbers, e.g. 003/005."), code="rt_rw")
    return f"{int(parts[0]):03d}/{int(parts[1]):03d}"


def validate_year_established(value: int, *, today: datetime.date | None = None) -> None:
    this_year = (today or datetime.date.today()).year
    if value is None:
        return
    if value > this_year:
        raise ValidationError(
            _("The year established cannot be in the future."), code="year_future"
        )
    if value < 1900:
        raise ValidationError(
            _("The year established must be 1900 or later."), code="year_too_early"
        )


def validate_kelurahan(region) -> None:
    """A business address must be in a kelurahan or desa of this installation's REGION_CODE."""
    if region is None:
        return
    if region.level not in VILLAGE_LEVELS or not region.code.startswith(f"{settings.REGION_CODE}."):
        raise ValidationError(
            _("The kelurahan must be a kelurahan or desa in %(region)s (code %(code)s…)."),
            code="kelurahan_outside",
            params={"region": _region_name(settings.REGION_CODE), "code": settings.REGION_CODE},
        )


def _region_name(code: str) -> str:
    from .models import Region

    region = Region.objects.filter(pk=code).only("name").first()
    return region.name if region else code


def validate_kbli_for_product(kbli) -> None:
    """Product lines use five-digit codes of section C (industri pengolahan, divisions 10-33)."""
    if kbli.level != KbliLevel.CLASS or not (10 <= int(kbli.code[:2]) <= 33):
        raise ValidationError(
            _("The KBLI code must be a five-digit code of section C (divisions 10–33)."),
            code="kbli_not_industry",
        )
