"""Bugs the matrix and the fuzzers found, pinned (issue 8)."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return UserFactory(role="office_staff")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reviews/?application=-1.7976931348623157e%2B308",
        "/api/v1/reviews/?reviewer=99999999999999999999999",
        "/api/v1/decisions/?stage=1e300",
        "/api/v1/attendance/?session=1.5",
        "/api/v1/outcomes/?application=-99999999999999999999",
        "/api/v1/enterprises/?year_from=1e400",
        "/api/v1/reviews/next/?program=1432781179177879&stage=-6.798770515626812e-102",
        "/api/v1/reviews/next/?program=abc&stage=1",
    ],
)
def test_an_id_filter_out_of_range_is_a_400_not_a_500(api_as, staff, url):
    assert api_as(staff).get(url).status_code == 400


def test_a_page_number_beyond_any_table_is_a_404_not_a_500(api_as, staff):
    assert api_as(staff).get("/api/v1/enterprises/?page=100000000000000000000").status_code == 404


def test_a_damaged_xlsx_upload_is_a_400_with_a_message(api_as, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    workbook = openpyxl.Workbook()
    workbook.active.append(["Nama Usaha", "Nama Pemilik", "Kelurahan"])
    workbook.active.append(["Tempe", "Siti", "Dinoyo"])
    out = io.BytesIO()
    workbook.save(out)
    content = bytearray(out.getvalue())
    # Damage the compressed stream of the sheet, keeping the zip directory intact: zlib fails
    # while the rows are read (it was a 500).
    start = content.index(b"xl/worksheets/sheet1.xml") + len(b"xl/worksheets/sheet1.xml")
    content[start + 5 : start + 25] = bytes(20)
    response = api_as(staff).post(
        "/api/v1/enterprises/import/",
        {"file": SimpleUploadedFile("daftar.xlsx", bytes(content))},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.data["file"]


@pytest.mark.parametrize("action", ["verify", "reject", "archive", "request-revision"])
def test_an_owner_asking_a_staff_action_on_their_business_is_refused_even_as_a_no_op(
    api_as, action
):
    """Found by the matrix: verifying one's own verified business answered 200 (a no-op)."""
    from registry.choices import EnterpriseStatus
    from tests.factories import EnterpriseFactory

    status = {
        "verify": EnterpriseStatus.VERIFIED,
        "reject": EnterpriseStatus.REJECTED,
        "archive": EnterpriseStatus.ARCHIVED,
        "request-revision": EnterpriseStatus.NEEDS_REVISION,
    }[action]
    enterprise = EnterpriseFactory(status=status)
    response = api_as(enterprise.owner).post(
        f"/api/v1/enterprises/{enterprise.pk}/{action}/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 403
