import pytest

from registry.choices import EnterpriseStatus

pytestmark = pytest.mark.django_db

BODY = {
    "owner_name": "Siti Aminah",
    "owner_nik": "3573054512850001",
    "owner_gender": "female",
    "phone": "0812-3456-7890",
    "name": "UD Keripik Tempe Sanan Jaya",
    "legal_form": "ud",
    "year_established": 2015,
    "address": "Jl. Sanan No. 12",
    "rt_rw": "3/5",
    "kelurahan": "35.73.01.1007",
    "postal_code": "65122",
    "workers_male": 2,
    "workers_female": 3,
    "investment_idr": 75000000,
    "annual_turnover_idr": 360000000,
    "products": [
        {
            "kbli_code": "10391",
            "name": "Keripik tempe",
            "capacity_per_year": "12000",
            "capacity_unit": "kg",
            "marketing_reach": "regional",
        }
    ],
    "certifications": [{"kind": "halal", "number": "ID123"}],
    "consent": True,
}


def test_owner_registers_and_staff_verify_through_the_api(reference, owner, staff, api_as):
    client = api_as(owner)
    response = client.post("/api/v1/enterprises/", BODY, format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["kecamatan"] == "35.73.01"
    assert data["phone"] == "+6281234567890"
    assert data["size_class"] == "kecil"
    pk = data["id"]
    assert client.post(f"/api/v1/enterprises/{pk}/submit/").status_code == 200
    staff_client = api_as(staff)
    listing = staff_client.get("/api/v1/enterprises/?status=submitted").json()
    assert listing["count"] == 1
    assert listing["results"][0]["owner_nik"] == "************0001"
    r = staff_client.post(f"/api/v1/enterprises/{pk}/request-revision/", {"reason": "Foto kurang"})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == EnterpriseStatus.NEEDS_REVISION
    assert (
        client.patch(f"/api/v1/enterprises/{pk}/", {"brand": "Sanan"}, format="json").status_code
        == 200
    )
    assert client.post(f"/api/v1/enterprises/{pk}/submit/").status_code == 200
    r = staff_client.post(f"/api/v1/enterprises/{pk}/verify/")
    assert r.json()["status"] == "verified"
    assert staff_client.post(f"/api/v1/enterprises/{pk}/submit/").status_code == 409
    hist = staff_client.get(f"/api/v1/enterprises/{pk}/history/").json()
    assert hist["count"] > 10
