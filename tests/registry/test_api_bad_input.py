"""Bad input is a 400 naming the field — never a 500 — and never loses what the draft holds."""

import datetime

import pytest

from registry.models import Enterprise
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "owner_name": "Siti Aminah",
    "owner_nik": "3573054512850001",
    "owner_gender": "female",
    "phone": "081234567890",
    "name": "Keripik Tempe",
    "kelurahan": "35.73.05.1004",
    "workers_male": 1,
    "workers_female": 1,
}
NEXT_YEAR = datetime.date.today().year + 1


@pytest.mark.parametrize(
    "change, field",
    [
        ({"owner_nik": "3573053212850001"}, "owner_nik"),
        ({"owner_nik": "123"}, "owner_nik"),
        ({"nib": "12345"}, "nib"),
        ({"npwp": "12"}, "npwp"),
        ({"phone": "0215551234"}, "phone"),
        ({"kelurahan": "35.73.99.9999"}, "kelurahan"),
        ({"kelurahan": "35.73.05"}, "kelurahan"),
        ({"investment_idr": -1}, "investment_idr"),
        ({"annual_turnover_idr": -5}, "annual_turnover_idr"),
        ({"workers_male": 0, "workers_female": 0}, "workers_male"),
        ({"workers_male": -1}, "workers_male"),
        ({"year_established": NEXT_YEAR}, "year_established"),
        ({"postal_code": "651"}, "postal_code"),
        ({"rt_rw": "x"}, "rt_rw"),
        ({"legal_form": "firma"}, "legal_form"),
        ({"latitude": "95"}, "latitude"),
        ({"products": [{"kbli_code": "99999", "name": "X"}]}, "products"),
        ({"products": [{"kbli_code": "46100", "name": "X"}]}, "products"),
        ({"certifications": [{"kind": "iso"}]}, "certifications"),
    ],
)
def test_bad_field_is_a_400_naming_it(change, field, reference, owner, api_as):
    response = api_as(owner).post("/api/v1/enterprises/", {**GOOD, **change}, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert Enterprise.objects.count() == 0


def test_good_body_is_201(reference, owner, api_as):
    response = api_as(owner).post("/api/v1/enterprises/", GOOD, format="json")
    assert response.status_code == 201
    assert response.json()["owner_nik"] == "3573054512850001"  # the owner sees their NIK


def test_bad_patch_keeps_the_draft(reference, owner, api_as):
    draft = EnterpriseFactory(owner=owner, nib="9120001234567", brand="Lama")
    response = api_as(owner).patch(
        f"/api/v1/enterprises/{draft.pk}/", {"nib": "1", "brand": "Baru"}, format="json"
    )
    assert response.status_code == 400
    draft.refresh_from_db()
    assert (draft.nib, draft.brand) == ("9120001234567", "Lama")


def test_owner_cannot_create_for_someone_else(reference, owner, other_owner, api_as):
    response = api_as(owner).post(
        "/api/v1/enterprises/", {**GOOD, "owner_email": other_owner.email}, format="json"
    )
    assert response.status_code == 201
    assert Enterprise.objects.get().owner == owner


def test_staff_create_for_an_owner_account(reference, staff, owner, api_as):
    response = api_as(staff).post(
        "/api/v1/enterprises/",
        {**GOOD, "owner_email": owner.email, "source": "enumerator"},
        format="json",
    )
    assert response.status_code == 201
    enterprise = Enterprise.objects.get()
    assert (enterprise.owner, enterprise.source, enterprise.created_by) == (
        owner,
        "enumerator",
        staff,
    )
    assert response.json()["owner_nik"] == "************0001"


def test_submit_of_an_incomplete_draft_is_400_with_fields(reference, owner, api_as):
    draft = api_as(owner).post("/api/v1/enterprises/", GOOD, format="json").json()
    response = api_as(owner).post(f"/api/v1/enterprises/{draft['id']}/submit/")
    assert response.status_code == 400
    body = response.json()
    assert {"legal_form", "investment_idr", "products", "consent"} <= set(body)
