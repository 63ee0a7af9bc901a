"""Choices of the registry and its state machines (each with its explicit transition table)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionLevel(models.TextChoices):
    PROVINSI = "provinsi", _("Province")
    KABUPATEN = "kabupaten", _("Regency (kabupaten)")
    KOTA = "kota", _("City (kota)")
    KECAMATAN = "kecamatan", _("District (kecamatan)")
    KELURAHAN = "kelurahan", _("Urban village (kelurahan)")
    DESA = "desa", _("Village (desa)")


VILLAGE_LEVELS = (RegionLevel.KELURAHAN, RegionLevel.DESA)


class KbliLevel(models.TextChoices):
    """KBLI levels by the length of the code: C, 10, 101, 1011, 10110."""

    SECTION = "section", _("Section (kategori)")
    DIVISION = "division", _("Division (golongan pokok)")
    GROUP = "group", _("Group (golongan)")
    SUBGROUP = "subgroup", _("Sub-group (subgolongan)")
    CLASS = "class", _("Five-digit class (kelompok)")


KBLI_LEVEL_BY_LENGTH = {
    2: KbliLevel.DIVISION,
    3: KbliLevel.GROUP,
    4: KbliLevel.SUBGROUP,
    5: KbliLevel.CLASS,
}


class EnterpriseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    NEEDS_REVISION = "needs_revision", _("Needs revision")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")
    ARCHIVED = "archived", _("Archived")


S = EnterpriseStatus

# from → the statuses it may go to. "any → archived" is spelled out so the table is the truth.
ENTERPRISE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED, S.ARCHIVED}),
    S.SUBMITTED: frozenset({S.VERIFIED, S.NEEDS_REVISION, S.REJECTED, S.ARCHIVED}),
    S.NEEDS_REVISION: frozenset({S.SUBMITTED, S.ARCHIVED}),
    S.VERIFIED: frozenset({S.NEEDS_REVISION, S.ARCHIVED}),
    S.REJECTED: frozenset({S.ARCHIVED}),
    S.ARCHIVED: frozenset(),
}
# Only office staff move a record to these statuses; the owner (or staff) submits.
STAFF_ONLY_TARGETS = frozenset({S.VERIFIED, S.NEEDS_REVISION, S.REJECTED, S.ARCHIVED})
REASON_REQUIRED_TARGETS = frozenset({S.NEEDS_REVISION, S.REJECTED, S.ARCHIVED})
# The owner edits the record itself only in these; a verified record changes by change request.
OWNER_EDITABLE_STATUSES = frozenset({S.DRAFT, S.NEEDS_REVISION})
# Records that count for the "same NIB" / "same NIK and name" refusal.
INACTIVE_STATUSES = frozenset({S.REJECTED, S.ARCHIVED})
# The verb of each target status (action names in the activity log and the API).
TRANSITION_ACTIONS = {
    S.SUBMITTED: "submit",
    S.VERIFIED: "verify",
    S.NEEDS_REVISION: "request_revision",
    S.REJECTED: "reject",
    S.ARCHIVED: "archive",
}


def enterprise_can_transition(from_status: str, to_status: str) -> bool:
    return to_status in ENTERPRISE_TRANSITIONS.get(from_status, frozenset())


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class LegalForm(models.TextChoices):
    PERORANGAN = "perorangan", _("Sole proprietor (perorangan)")
    UD = "ud", _("UD (usaha dagang)")
    CV = "cv", _("CV")
    PT = "pt", _("PT")
    PT_PERORANGAN = "pt_perorangan", _("PT perorangan")
    KOPERASI = "koperasi", _("Cooperative (koperasi)")
    LAINNYA = "lainnya", _("Other")


class SizeClass(models.TextChoices):
    """Permenperin 64/M-IND/PER/7/2016."""

    KECIL = "kecil", _("Small industry")
    MENENGAH = "menengah", _("Medium industry")
    BESAR = "besar", _("Large industry")


class UmkmClass(models.TextChoices):
    """PP 7/2021."""

    MIKRO = "mikro", _("Micro")
    KECIL = "kecil", _("Small")
    MENENGAH = "menengah", _("Medium")
    BESAR = "besar", _("Large")


class CapacityUnit(models.TextChoices):
    KG = "kg", "kg"
    TON = "ton", "ton"
    LITER = "liter", "liter"
    PCS = "pcs", "pcs"
    M = "m", "m"
    M2 = "m2", "m²"
    M3 = "m3", "m³"
    SET = "set", "set"
    LUSIN = "lusin", _("dozen (lusin)")
    KODI = "kodi", _("score (kodi)")
    PASANG = "pasang", _("pair (pasang)")
    UNIT = "unit", "unit"
    LAINNYA = "lainnya", _("other")


class MarketingReach(models.TextChoices):
    LOKAL = "lokal", _("Local")
    REGIONAL = "regional", _("Regional")
    NASIONAL = "nasional", _("National")
    EKSPOR = "ekspor", _("Export")


class CertificationKind(models.TextChoices):
    HALAL = "halal", _("Halal")
    PIRT = "pirt", _("PIRT (home industry food licence)")
    BPOM = "bpom", _("BPOM")
    SNI = "sni", _("SNI")
    HAKI_MEREK = "haki_merek", _("Trademark (HKI merek)")
    TKDN = "tkdn", _("TKDN")
    LAINNYA = "lainnya", _("Other")


class RegistrationSource(models.TextChoices):
    ONLINE = "online", _("Online by the owner")
    WALK_IN = "walk_in", _("At the office (walk-in)")
    ENUMERATOR = "enumerator", _("Kelurahan enumerator")
    IMPORT = "import", _("Spreadsheet import")
    API = "api", _("API")


class HistorySource(models.TextChoices):
    PAGE = "page", _("Page")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    MERGE = "merge", _("Merge")
    CHANGE_REQUEST = "change_request", _("Change request")
    ADMIN = "admin", _("Admin site")
    SYSTEM = "system", _("System")


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the office")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


CHANGE_REQUEST_TRANSITIONS: dict[str, frozenset[str]] = {
    ChangeRequestStatus.PENDING: frozenset(
        {ChangeRequestStatus.APPROVED, ChangeRequestStatus.REFUSED, ChangeRequestStatus.WITHDRAWN}
    ),
    ChangeRequestStatus.APPROVED: frozenset(),
    ChangeRequestStatus.REFUSED: frozenset(),
    ChangeRequestStatus.WITHDRAWN: frozenset(),
}


class ClaimStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the office")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimStatus.PENDING: frozenset({ClaimStatus.APPROVED, ClaimStatus.REFUSED}),
    ClaimStatus.APPROVED: frozenset(),
    ClaimStatus.REFUSED: frozenset(),
}


class DuplicateKind(models.TextChoices):
    SIMILAR_NAME = "similar_name", _("Similar name in the same kelurahan")
    SAME_PHONE = "same_phone", _("Same phone number")
    SAME_NIK = "same_nik", _("Same owner NIK, another business")


class DuplicateFlagStatus(models.TextChoices):
    OPEN = "open", _("To check")
    NOT_DUPLICATE = "not_duplicate", _("Not a duplicate")
    MERGED = "merged", _("Merged")


class FacilitationKind(models.TextChoices):
    NIB = "nib", _("NIB assistance")
    HALAL = "halal", _("Halal certification")
    PIRT = "pirt", _("PIRT")
    HAKI_MEREK = "haki_merek", _("Trademark (merek/HKI)")
    SIINAS = "siinas", _("SIINas reporting")
    PACKAGING = "packaging", _("Packaging")
    EXHIBITION = "exhibition", _("Exhibition")
    BPOM = "bpom", _("BPOM")
    SNI = "sni", _("SNI")
    TRAINING = "training", _("Training or coaching")
    LAINNYA = "lainnya", _("Other")


class FacilitationStatus(models.TextChoices):
    PROSES = "proses", _("In progress")
    SELESAI = "selesai", _("Completed")
    DITOLAK = "ditolak", _("Refused")


class DocumentKind(models.TextChoices):
    NIB = "nib", _("NIB certificate")
    KTP = "ktp", _("Identity card (KTP)")
    HALAL = "halal", _("Halal certificate")
    PIRT = "pirt", _("PIRT certificate")
    PHOTO = "photo", _("Photo of the business or products")
    LAINNYA = "lainnya", _("Other")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    VALIDATING = "validating", _("Checking")
    VALIDATED = "validated", _("Checked — waiting for confirmation")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class ImportMode(models.TextChoices):
    VALID_ROWS = "valid_rows", _("Import all valid rows, skip the others")
    ALL_OR_NOTHING = "all_or_nothing", _("Import only if every row is valid")
