"""Uploaded files are judged by their content, not by their name or the browser's word: the one
validation lives in ikm_portal/core/uploads.py (kept importable from here)."""

from ikm_portal.core.uploads import FORMAT_LABELS, sniff_format, validate_upload

__all__ = ["FORMAT_LABELS", "sniff_format", "validate_upload"]
