import csv
import io

import openpyxl
import pytest
from django.contrib.auth.models import Permission

from registry.services.exports import neutralise
from tests.factories import EnterpriseFactory, VerifiedEnterpriseFactory

pytestmark = pytest.mark.django_db


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx(response) -> list[tuple]:
    content = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return list(sheet.iter_rows(values_only=True))


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+628123", "'+628123"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Tempe", "Tempe"),
        (5, 5),
        (None, None),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_csv_export_masks_nik_and_neutralises_formulas(staff, api_as):
    VerifiedEnterpriseFactory(name='=HYPERLINK("http://x")', owner_nik="3573054512850001")
    response = api_as(staff).get("/api/v1/enterprises/export/?format=csv")
    assert response.status_code == 200
    rows = _csv(response)
    header, row = rows[0], rows[1]
    record = dict(zip(header, row, strict=True))
    assert record["NIK"] == "************0001"
    assert record["Nama Usaha"] == '\'=HYPERLINK("http://x")'
    assert record["No. HP"].startswith("'+62")


def test_xlsx_export_with_unmask_permission_masks_unless_asked_with_a_reason(staff, api_as):
    from ikm_portal.datarights.models import AccessLog

    staff.user_permissions.add(Permission.objects.get(codename="unmask_nik"))
    business = VerifiedEnterpriseFactory(owner_nik="3573054512850001", name="@cmd")
    client = api_as(staff)
    rows = _xlsx(client.get("/api/v1/enterprises/export/?format=xlsx"))
    assert dict(zip(rows[0], rows[1], strict=True))["NIK"] == "************0001"
    assert client.get("/api/v1/enterprises/export/?format=xlsx&unmask_nik=true").status_code == 400
    response = client.get(
        "/api/v1/enterprises/export/?format=xlsx&unmask_nik=true&reason=Laporan+BPS"
    )
    assert response.status_code == 200
    rows = _xlsx(response)
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["NIK"] == "3573054512850001"
    assert record["Nama Usaha"] == "'@cmd"
    assert list(
        AccessLog.objects.order_by("id").values_list(
            "action", "subject_id", "subject_user", "reason", "details"
        )
    ) == [
        ("export", business.pk, business.owner_id, "", {"format": "xlsx", "unmasked": False}),
        (
            "export",
            business.pk,
            business.owner_id,
            "Laporan BPS",
            {"format": "xlsx", "unmasked": True},
        ),
    ]


def test_full_nik_export_needs_the_permission(staff, api_as):
    VerifiedEnterpriseFactory()
    response = api_as(staff).get(
        "/api/v1/enterprises/export/?format=csv&unmask_nik=true&reason=Laporan+BPS"
    )
    assert response.status_code == 403


def test_every_export_logs_each_business_exported(staff, client_as):
    from ikm_portal.datarights.models import AccessLog

    businesses = [VerifiedEnterpriseFactory() for _ in range(3)]
    response = client_as(staff).get("/registry/list/export/?format=csv")
    assert response.status_code == 200
    assert sorted(AccessLog.objects.values_list("subject_id", flat=True)) == sorted(
        b.pk for b in businesses
    )
    assert set(AccessLog.objects.values_list("action", "actor", "channel")) == {
        ("export", staff.pk, "export")
    }


def test_export_applies_the_list_filters(staff, api_as):
    VerifiedEnterpriseFactory(name="Satu")
    EnterpriseFactory(name="Dua", submitted=True)
    rows = _csv(api_as(staff).get("/api/v1/enterprises/export/?format=csv&status=submitted"))
    assert [r[2] for r in rows[1:]] == ["Dua"]


def test_export_bad_format_is_400(staff, api_as):
    assert api_as(staff).get("/api/v1/enterprises/export/?format=pdf").status_code == 400


def test_export_page_for_staff(staff, client_as):
    VerifiedEnterpriseFactory(name="Satu")
    response = client_as(staff).get("/registry/list/export/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(_xlsx(response)) == 2


@pytest.mark.parametrize("role", ["owner", "partner_manager"])
def test_export_page_forbidden(role, request, client_as):
    user = request.getfixturevalue(role)
    assert client_as(user).get("/registry/list/export/?format=csv").status_code == 403


def test_page_export_with_full_niks_needs_a_reason(staff, client_as):
    from ikm_portal.datarights.models import AccessLog

    staff.user_permissions.add(Permission.objects.get(codename="unmask_nik"))
    VerifiedEnterpriseFactory(owner_nik="3573054512850001", name="Satu")
    client = client_as(staff)
    page = client.get("/registry/list/?q=Satu")
    assert page.context["can_export_full_nik"] is True
    assert page.context["export_params"] == [("q", "Satu")]
    refused = client.get("/registry/list/export/?q=Satu&format=csv&unmask_nik=1&reason=")
    assert refused.status_code == 302
    assert AccessLog.objects.count() == 0
    response = client.get(
        "/registry/list/export/?q=Satu&format=csv&unmask_nik=1&reason=Laporan+BPS"
    )
    rows = _csv(response)
    assert dict(zip(rows[0], rows[1], strict=True))["NIK"] == "3573054512850001"
    assert list(AccessLog.objects.values_list("reason", "details")) == [
        ("Laporan BPS", {"format": "csv", "unmasked": True})
    ]
