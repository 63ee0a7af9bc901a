import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from partnerships.demo import minimal_pdf
from partnerships.validators import sniff_format, validate_upload

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def upload(content: bytes, name="x.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_sniff_format_pdf_by_content():
    assert sniff_format(upload(minimal_pdf("x"), name="renamed.txt")) == "pdf"


def test_sniff_format_png_named_pdf_is_png():
    assert sniff_format(upload(PNG, name="dokumen.pdf")) == "png"


def test_sniff_format_truncated_pdf_is_rejected():
    assert sniff_format(upload(b"%PDF-1.4\n1 0 obj\n<<>>\n")) is None


def test_validate_upload_accepts_pdf():
    assert (
        validate_upload(upload(minimal_pdf("x")), formats={"pdf"}, max_bytes=1024 * 1024) == "pdf"
    )


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"", "empty"),
        (PNG, "bad_type"),
        (b"MZ\x90\x00 not a pdf at all", "bad_type"),
    ],
)
def test_validate_upload_rejects_with_reason(content, code):
    with pytest.raises(ValidationError) as info:
        validate_upload(upload(content), formats={"pdf"}, max_bytes=1024 * 1024)
    assert info.value.code == code


def test_validate_upload_rejects_too_large():
    big = minimal_pdf("x") + b"0" * 2048
    with pytest.raises(ValidationError) as info:
        validate_upload(upload(big), formats={"pdf"}, max_bytes=1024)
    assert info.value.code == "too_large"
