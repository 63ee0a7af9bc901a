"""The shared upload checks (ikm_portal/core/uploads.py) and how every upload field uses them:
type by content, size per kind from settings, random stored names, downloads only for those
allowed."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from ikm_portal.core.uploads import (
    UPLOAD_KINDS,
    random_upload_name,
    sniff_format,
    upload_max_bytes,
    validate_upload,
)
from partnerships.demo import minimal_pdf
from tests.factories import EnterpriseFactory
from tests.factories.registry import VerifiedEnterpriseFactory
from tests.factories.training import ApplicationFactory, ProgramFactory, QuestionFactory
from training.choices import QuestionKind

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
HTML = b"<html><script>alert(1)</script></html>"
EXE = b"MZ\x90\x00" + b"\x00" * 64


def _xlsx() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Nama Usaha", "Nama Pemilik"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(content: bytes, name: str = "file.bin", content_type: str = "application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


# --- Type by content --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "expected"),
    [
        (minimal_pdf("x"), "foto.jpg", "pdf"),
        (PNG, "surat.pdf", "png"),
        (JPEG, "data.xlsx", "jpeg"),
        (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "logo.png", "webp"),
        (_xlsx(), "data.csv", "xlsx"),
        (b"PK\x03\x04not really a zip", "data.xlsx", None),
        (b"Nama Usaha;Kelurahan\nKeripik;Sanan\n", "x.pdf", "csv"),
        ("Nama Usaha;Kota\nCaf\u00e9;Malang\n".encode("cp1252"), "x.csv", "csv"),
        (EXE, "surat.pdf", None),
        (b"%PDF-1.4\n1 0 obj\n", "truncated.pdf", None),
    ],
)
def test_sniff_format_reads_the_bytes_not_the_name(content, name, expected):
    assert sniff_format(_upload(content, name)) == expected


@pytest.mark.parametrize("kind", sorted(UPLOAD_KINDS))
def test_every_kind_refuses_a_program_or_a_web_page_whatever_its_name(kind):
    for content in (EXE, HTML) if kind != "import" else (EXE,):
        with pytest.raises(ValidationError) as exc:
            validate_upload(_upload(content, "laporan.pdf"), kind=kind)
        assert exc.value.code == "bad_type"


def test_size_limits_come_from_settings_per_kind(settings):
    settings.UPLOAD_MAX_MB = {**settings.UPLOAD_MAX_MB, "agreement": 1}
    assert upload_max_bytes("agreement") == 1024 * 1024
    big = minimal_pdf("x")[:-6] + b"0" * (1024 * 1024) + b"%%EOF\n"
    with pytest.raises(ValidationError) as exc:
        validate_upload(_upload(big), kind="agreement")
    assert exc.value.code == "too_large"
    assert exc.value.messages == ["Ukuran berkas 1,0\xa0MB; paling besar yang diterima 1,0\xa0MB."]


def test_stored_names_are_random_and_carry_no_personal_data():
    first = random_upload_name("private/answers", "KTP Siti Aminah 3573054512850001.pdf")
    second = random_upload_name("private/answers", "KTP Siti Aminah 3573054512850001.pdf")
    assert first != second
    assert first.startswith("private/answers/") and first.endswith(".pdf")
    assert "Siti" not in first and "3573" not in first
    assert random_upload_name("x", "evil.php%00.html/..").endswith(".bin")


def test_media_root_is_outside_static(settings):
    from pathlib import Path

    media = Path(settings.MEDIA_ROOT).resolve()
    for static in [Path(settings.STATIC_ROOT), *map(Path, settings.STATICFILES_DIRS)]:
        static = static.resolve()
        assert static not in media.parents and static != media


# --- Pages: a clear message -------------------------------------------------------------------


@pytest.mark.django_db
def test_registry_document_page_wrong_type_by_content_is_a_message(
    client_as, owner, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    enterprise = EnterpriseFactory(owner=owner)
    response = client_as(owner).post(
        f"/registry/business/{enterprise.pk}/documents/",
        {"kind": "nib", "file": _upload(HTML, "nib.pdf")},
        follow=True,
    )
    assert response.status_code == 200
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Jenis berkas ini tidak diterima. Yang diterima: JPEG, PDF, PNG."]
    assert enterprise.documents.count() == 0


@pytest.mark.django_db
def test_registry_document_page_oversize_is_a_message(client_as, owner, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_MAX_MB = {**settings.UPLOAD_MAX_MB, "document": 1}
    enterprise = EnterpriseFactory(owner=owner)
    big = minimal_pdf("x")[:-6] + b"0" * (1024 * 1024) + b"%%EOF\n"
    response = client_as(owner).post(
        f"/registry/business/{enterprise.pk}/documents/",
        {"kind": "nib", "file": _upload(big, "nib.pdf")},
        follow=True,
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == ["Ukuran berkas 1,0\xa0MB; paling besar yang diterima 1,0\xa0MB."]
    assert enterprise.documents.count() == 0


@pytest.mark.django_db
def test_registry_document_is_stored_under_a_random_name_and_served_inline_to_the_owner(
    client_as, owner, other_owner, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    enterprise = EnterpriseFactory(owner=owner)
    client_as(owner).post(
        f"/registry/business/{enterprise.pk}/documents/",
        {"kind": "nib", "file": _upload(minimal_pdf("NIB"), "NIB Budi Santoso.pdf")},
    )
    document = enterprise.documents.get()
    assert document.file.name.startswith("registry/documents/")
    assert "Budi" not in document.file.name
    assert (tmp_path / document.file.name).exists()
    url = f"/registry/documents/{document.pk}/"
    response = client_as(owner).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="NIB Budi Santoso.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert client_as(other_owner).get(url).status_code == 404
    assert client_as(None).get(url).status_code == 302


@pytest.mark.django_db
def test_registry_import_page_refuses_an_image_named_xlsx(client_as, staff):
    response = client_as(staff).post(
        "/registry/imports/",
        {"file": _upload(PNG, "data.xlsx"), "target_status": "verified", "encoding": ""},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == ["Berkas bukan buku kerja XLSX yang sah."]


@pytest.mark.django_db
def test_registry_import_api_refuses_a_program_named_csv(api_as, staff):
    response = api_as(staff).post(
        "/api/v1/enterprises/import/", {"file": _upload(EXE, "data.csv")}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["file"] == ["Jenis berkas ini tidak diterima. Yang diterima: CSV."]


# --- API: 400 with a field error, downloads -----------------------------------------------------


@pytest.fixture
def file_question_application(owner):
    program = ProgramFactory(with_setup=True)
    question = QuestionFactory(program=program, kind=QuestionKind.FILE)
    enterprise = VerifiedEnterpriseFactory(owner=owner)
    application = ApplicationFactory(program=program, enterprise=enterprise)
    return application, question


@pytest.mark.django_db
def test_api_answer_upload_wrong_type_and_oversize_are_400_on_file(
    api_as, owner, file_question_application, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    settings.UPLOAD_MAX_MB = {**settings.UPLOAD_MAX_MB, "answer": 1}
    application, question = file_question_application
    url = f"/api/v1/applications/{application.pk}/upload/"
    client = api_as(owner)
    html = client.post(
        url, {"question": question.pk, "file": _upload(HTML, "ktp.pdf")}, format="multipart"
    )
    assert html.status_code == 400
    assert html.json()["file"] == [
        "Jenis berkas ini tidak diterima. Yang diterima: JPEG, PDF, PNG."
    ]
    big = minimal_pdf("x")[:-6] + b"0" * (1024 * 1024) + b"%%EOF\n"
    oversize = client.post(
        url, {"question": question.pk, "file": _upload(big, "ktp.pdf")}, format="multipart"
    )
    assert oversize.status_code == 400
    assert oversize.json()["file"] == [
        "Ukuran berkas 1,0\xa0MB; paling besar yang diterima 1,0\xa0MB."
    ]


@pytest.mark.django_db
def test_answer_file_download_is_an_attachment_and_404_for_others(
    api_as, client_as, owner, other_owner, file_question_application, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    application, question = file_question_application
    api_as(owner).post(
        f"/api/v1/applications/{application.pk}/upload/",
        {"question": question.pk, "file": _upload(PNG, "foto produk.png")},
        format="multipart",
    )
    answer = application.answers.get(question=question)
    assert answer.file.name.startswith("private/answers/")
    page = f"/programs/applications/{application.pk}/files/{question.pk}/"
    api = f"/api/v1/applications/{application.pk}/files/{question.pk}/"
    response = client_as(owner).get(page)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="foto produk.png"'
    assert client_as(other_owner).get(page).status_code == 404
    assert api_as(other_owner).get(api).status_code == 404


# --- Fuzz: any bytes, any name ----------------------------------------------------------------


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    content=st.one_of(
        st.binary(max_size=512),
        st.sampled_from(
            [b"%PDF-", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF", b"PK\x03\x04"]
        ).flatmap(lambda head: st.binary(max_size=256).map(lambda tail: head + tail)),
    ),
    # Any name a browser sends (Django itself refuses path-like ones before we see them).
    name=st.from_regex(r"[A-Za-z0-9 _()-]{1,30}(\.[A-Za-z0-9]{1,5})?", fullmatch=True),
    kind=st.sampled_from(sorted(UPLOAD_KINDS)),
)
def test_validate_upload_only_ever_accepts_or_refuses_cleanly(content, name, kind):
    upload = _upload(content, name)
    try:
        detected = validate_upload(upload, kind=kind)
    except ValidationError as exc:
        assert exc.code in {"empty", "too_large", "bad_type"}
    else:
        assert detected in UPLOAD_KINDS[kind]
        assert sniff_format(upload) == detected
    assert upload.tell() == 0
