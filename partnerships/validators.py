"""Uploaded files are judged by their content, not by their name or the browser's word."""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# Leading bytes of the formats the portal accepts.
_SIGNATURES: list[tuple[str, bytes]] = [
    ("pdf", b"%PDF-"),
    ("png", b"\x89PNG\r\n\x1a\n"),
    ("jpeg", b"\xff\xd8\xff"),
    ("webp", b"RIFF"),  # followed by size and "WEBP" at offset 8, checked below
]

FORMAT_LABELS = {"pdf": "PDF", "png": "PNG", "jpeg": "JPEG", "webp": "WebP"}


def _read_head_and_tail(upload, head: int = 16, tail: int = 2048) -> tuple[bytes, bytes]:
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        upload.seek(0)
        first = upload.read(head)
        size = upload.size
        upload.seek(max(0, size - tail))
        last = upload.read(tail)
    finally:
        upload.seek(position)
    return first or b"", last or b""


def sniff_format(upload) -> str | None:
    """The format of an uploaded file from its bytes: "pdf", "png", "jpeg", "webp" or None."""
    first, last = _read_head_and_tail(upload)
    for name, signature in _SIGNATURES:
        if first.startswith(signature):
            if name == "webp" and first[8:12] != b"WEBP":
                continue
            if name == "pdf" and b"%%EOF" not in last:
                # A PDF without its end marker is truncated or not a PDF at all.
                return None
            return name
    return None


def validate_upload(upload, *, formats: set[str], max_bytes: int) -> str:
    """Check an upload's type by content and its size; returns the detected format."""
    if upload is None:
        raise ValidationError(_("Choose a file."), code="required")
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the largest accepted is %(max)s.")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)},
            code="too_large",
        )
    detected = sniff_format(upload)
    if detected not in formats:
        allowed = ", ".join(sorted(FORMAT_LABELS[f] for f in formats))
        raise ValidationError(
            _("This file type is not accepted. Accepted: %(allowed)s.") % {"allowed": allowed},
            code="bad_type",
        )
    return detected
