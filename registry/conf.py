"""Registry settings, each overridable in the Django settings (all optional)."""

from django.conf import settings


def kbli_version() -> str:
    """The KBLI version new product lines are coded in (KBLI 2025 replaced 2020 in Dec 2025;
    the office's reference data is 2020 until the 2025 table is loaded)."""
    return getattr(settings, "REGISTRY_KBLI_VERSION", "2020")


def import_background_rows() -> int:
    """Files with more rows than this are checked and imported by a background task."""
    return getattr(settings, "REGISTRY_IMPORT_BACKGROUND_ROWS", 500)


def import_max_bytes() -> int:
    from ikm_portal.core.uploads import upload_max_bytes

    return getattr(settings, "REGISTRY_IMPORT_MAX_BYTES", None) or upload_max_bytes("import")


def import_max_rows() -> int:
    return getattr(settings, "REGISTRY_IMPORT_MAX_ROWS", 100_000)
