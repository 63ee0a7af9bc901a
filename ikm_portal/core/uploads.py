"""Every uploaded file goes through here: its type is judged by its content (magic bytes), never
by its name or the browser's word; its size by a limit per kind of upload (settings.UPLOAD_MAX_MB);
it is stored under a random name under MEDIA_ROOT (outside static/); and it is served only by a
view that has checked permission, through `serve_upload` (docs/security.md, "Uploads")."""

import mimetypes
import re
import uuid
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# Leading bytes of the binary formats the portal accepts.
_SIGNATURES: list[tuple[str, bytes]] = [
    ("pdf", b"%PDF-"),
    ("png", b"\x89PNG\r\n\x1a\n"),
    ("jpeg", b"\xff\xd8\xff"),
    ("webp", b"RIFF"),  # followed by the size and "WEBP" at offset 8, checked below
    ("xlsx", b"PK\x03\x04"),  # a zip; checked below for the workbook's parts
]

FORMAT_LABELS = {
    "pdf": "PDF",
    "png": "PNG",
    "jpeg": "JPEG",
    "webp": "WebP",
    "xlsx": "XLSX",
    "csv": "CSV",
}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpeg": "image/jpeg",
    "webp": "image/webp",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
# Formats a browser may show inline (to users allowed to see the file); the rest is downloaded.
INLINE_FORMATS = {"pdf", "png", "jpeg", "webp"}

# What each kind of upload accepts. The size limits are settings (UPLOAD_MAX_MB).
UPLOAD_KINDS: dict[str, set[str]] = {
    "logo": {"png", "jpeg", "webp"},  # partnerships: a partner's logo
    "agreement": {"pdf"},  # partnerships: the signed agreement
    "document": {"pdf", "jpeg", "png"},  # registry: documents of a business
    "answer": {"pdf", "jpeg", "png"},  # training: file answers of an application
    "import": {"xlsx", "csv"},  # registry: the office's spreadsheet to import
}

_TEXT_SAMPLE = 64 * 1024


def upload_max_bytes(kind: str) -> int:
    return int(settings.UPLOAD_MAX_MB[kind] * 1024 * 1024)


def _read(upload, start: int, length: int) -> bytes:
    upload.seek(start)
    return upload.read(length) or b""


def _size(upload) -> int:
    size = getattr(upload, "size", None)
    if size is None:
        upload.seek(0, 2)
        size = upload.tell()
    return size


def _is_workbook(upload) -> bool:
    try:
        upload.seek(0)
        names = set(zipfile.ZipFile(upload).namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def _is_text(sample: bytes) -> bool:
    if not sample or b"\x00" in sample:
        return False
    # The import reads UTF-8 and Windows-1252. A UTF-8 character may be cut at the sample's end.
    for text in (sample[:-4] if len(sample) > 4 else sample, sample):
        for encoding in ("utf-8", "cp1252"):
            try:
                text.decode(encoding)
            except UnicodeDecodeError:
                continue
            return True
    return False


def sniff_format(upload) -> str | None:
    """The format of an uploaded file from its bytes: one of FORMAT_LABELS, or None."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        head = _read(upload, 0, 16)
        for name, signature in _SIGNATURES:
            if not head.startswith(signature):
                continue
            if name == "webp" and head[8:12] != b"WEBP":
                return None
            if name == "pdf" and b"%%EOF" not in _read(upload, max(0, _size(upload) - 2048), 2048):
                # A PDF without its end marker is truncated or not a PDF at all.
                return None
            if name == "xlsx" and not _is_workbook(upload):
                return None
            return name
        if _is_text(_read(upload, 0, _TEXT_SAMPLE)):
            return "csv"
        return None
    finally:
        upload.seek(position)


def validate_upload(
    upload, *, kind: str | None = None, formats: set[str] | None = None, max_bytes=None
) -> str:
    """Check an upload's size and its type by content; returns the detected format. Give the
    `kind` (UPLOAD_KINDS), or the accepted `formats` and `max_bytes` directly."""
    if formats is None:
        formats = UPLOAD_KINDS[kind]
    if max_bytes is None:
        max_bytes = upload_max_bytes(kind)
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


def random_upload_name(folder: str, filename: str) -> str:
    """`<folder>/<random>.<ext>`: the stored name never carries the uploader's file name (it
    may hold personal data) and cannot be guessed or collide."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if not re.fullmatch(r"[a-z0-9]{1,5}", suffix):
        suffix = "bin"
    return f"{folder}/{uuid.uuid4().hex}.{suffix}"


def serve_upload(field_file, *, download_name: str, inline: bool = False) -> FileResponse:
    """The response for a stored upload, for a view that has already checked permission.
    The content type comes from the stored bytes; only PDFs and images are shown inline (when
    the view asks), everything else is an attachment. A missing file is a 404."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    detected = sniff_format(handle)
    content_type = CONTENT_TYPES.get(detected or "", "application/octet-stream")
    if detected is None:
        content_type = mimetypes.guess_type(download_name)[0] or content_type
        content_type = (
            content_type if content_type in CONTENT_TYPES.values() else ("application/octet-stream")
        )
    as_attachment = not (inline and detected in INLINE_FORMATS)
    response = FileResponse(
        handle, as_attachment=as_attachment, filename=download_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    if as_attachment:
        # Whatever the bytes hold, a browser that renders them anyway runs no script from them.
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
