"""Services write. Import them from here: ``from registry import services``."""

from .derive import enterprise_derive, name_key
from .duplicates import (
    duplicate_flag_dismiss,
    duplicate_flags_for,
    duplicates_check_exact,
    duplicates_find,
    duplicates_flag,
    enterprise_merge,
)
from .enterprise import (
    REQUIRED_FOR_SUBMIT,
    change_request_create,
    change_request_transition,
    claim_create,
    claim_transition,
    enterprise_archive,
    enterprise_create,
    enterprise_missing,
    enterprise_reject,
    enterprise_request_revision,
    enterprise_submit,
    enterprise_transition,
    enterprise_update,
    enterprise_verify,
)
from .history import enterprise_snapshot, history_record
from .privacy import enterprise_nik_unmask

__all__ = [
    "REQUIRED_FOR_SUBMIT",
    "change_request_create",
    "change_request_transition",
    "claim_create",
    "claim_transition",
    "duplicate_flag_dismiss",
    "duplicate_flags_for",
    "duplicates_check_exact",
    "duplicates_find",
    "duplicates_flag",
    "enterprise_archive",
    "enterprise_create",
    "enterprise_derive",
    "enterprise_merge",
    "enterprise_missing",
    "enterprise_nik_unmask",
    "enterprise_reject",
    "enterprise_request_revision",
    "enterprise_snapshot",
    "enterprise_submit",
    "enterprise_transition",
    "enterprise_update",
    "enterprise_verify",
    "history_record",
    "name_key",
]
