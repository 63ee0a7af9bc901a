"""The issue's "done when" journey through the pages, on a phone-sized flow: an owner registers,
staff ask for a revision, the owner fixes and resubmits, staff verify."""

import pytest
from django.urls import reverse

from registry.choices import EnterpriseStatus
from registry.models import Enterprise, Kbli

pytestmark = pytest.mark.django_db


def _post(client, url, data, follow=False):
    response = client.post(url, data, follow=follow)
    assert response.status_code in (200, 302), response.content[:500]
    return response


def test_owner_registers_staff_revise_owner_resubmits_staff_verify(
    reference, owner, staff, client_as
):
    me = client_as(owner)
    assert me.get(reverse("registry:register")).status_code == 200
    response = _post(
        me,
        reverse("registry:register"),
        {
            "owner_name": "Siti Aminah",
            "owner_nik": "3573054512850001",
            "owner_gender": "female",
            "phone": "0812 3456 7890",
            "email": "",
            "consent": "on",
        },
    )
    enterprise = Enterprise.objects.get()
    assert response.url == reverse("registry:step", args=[enterprise.pk, "business"])
    assert enterprise.consent_version != ""
    assert enterprise.draft_step == 1

    _post(
        me,
        response.url,
        {"name": "Keripik Tempe Sanan Jaya", "legal_form": "ud", "year_established": "2015"},
    )
    response = me.get(reverse("registry:step", args=[enterprise.pk, "location"]))
    assert b"hx-get" in response.content
    _post(
        me,
        reverse("registry:step", args=[enterprise.pk, "location"]),
        {"address": "Jl. Sanan 12", "kecamatan": "35.73.01", "kelurahan": "35.73.01.1007"},
    )
    # Stop here and come back later: the draft resumes at the next step.
    resume = me.get(reverse("registry:resume", args=[enterprise.pk]))
    assert resume.url == reverse("registry:step", args=[enterprise.pk, "workforce"])
    _post(
        me,
        resume.url,
        {
            "workers_male": "2",
            "workers_female": "3",
            "investment_idr": "Rp 75.000.000",
            "annual_turnover_idr": "360.000.000",
        },
    )
    kbli = Kbli.objects.get(code="10391")
    response = _post(
        me,
        reverse("registry:step", args=[enterprise.pk, "products"]),
        {
            "products-TOTAL_FORMS": "1",
            "products-INITIAL_FORMS": "0",
            "products-MIN_NUM_FORMS": "1",
            "products-MAX_NUM_FORMS": "30",
            "products-0-kbli": str(kbli.pk),
            "products-0-name": "Keripik tempe",
            "products-0-capacity_per_year": "12000",
            "products-0-capacity_unit": "kg",
            "products-0-marketing_reach": "regional",
            "certs-TOTAL_FORMS": "1",
            "certs-INITIAL_FORMS": "0",
            "certs-MIN_NUM_FORMS": "0",
            "certs-MAX_NUM_FORMS": "20",
            "certs-0-kind": "",
        },
    )
    assert response.url == reverse("registry:review", args=[enterprise.pk])
    review = me.get(response.url)
    assert review.status_code == 200
    assert "Rp 75.000.000" in review.content.decode()
    _post(me, response.url, {})
    enterprise.refresh_from_db()
    assert enterprise.status == EnterpriseStatus.SUBMITTED
    assert enterprise.kecamatan_id == "35.73.01"
    assert enterprise.postal_code == "65122"
    assert enterprise.size_class == "kecil"

    office = client_as(staff)
    queue = office.get(reverse("registry:queue"))
    assert "Keripik Tempe Sanan Jaya" in queue.content.decode()
    assert office.get(reverse("registry:detail", args=[enterprise.pk])).status_code == 200
    url = reverse("registry:action", args=[enterprise.pk, "request-revision"])
    assert office.get(url).status_code == 200
    empty = office.post(url, {"reason": ""})
    assert empty.status_code == 200  # the reason is required
    _post(office, url, {"reason": "Alamat kurang lengkap"})
    enterprise.refresh_from_db()
    assert enterprise.status == EnterpriseStatus.NEEDS_REVISION

    status_page = me.get(reverse("registry:detail", args=[enterprise.pk])).content.decode()
    assert "Alamat kurang lengkap" in status_page
    _post(
        me,
        reverse("registry:step", args=[enterprise.pk, "location"]),
        {
            "address": "Jl. Sanan Gg. 3 No. 12",
            "kecamatan": "35.73.01",
            "kelurahan": "35.73.01.1007",
        },
    )
    _post(me, reverse("registry:review", args=[enterprise.pk]), {})
    enterprise.refresh_from_db()
    assert enterprise.status == EnterpriseStatus.SUBMITTED

    _post(office, reverse("registry:action", args=[enterprise.pk, "verify"]), {})
    enterprise.refresh_from_db()
    assert enterprise.status == EnterpriseStatus.VERIFIED
    assert set(enterprise.history.values_list("field", flat=True)) >= {"status", "address"}


def test_staff_pages_render(reference, staff, client_as):
    from tests.factories import EnterpriseFactory

    e = EnterpriseFactory(submitted=True)
    EnterpriseFactory(submitted=True, name=e.name + " Baru", phone=e.phone)
    c = client_as(staff)
    for name, args in [
        ("registry:queue", []),
        ("registry:list", []),
        ("registry:detail", [e.pk]),
        ("registry:duplicates", []),
        ("registry:change_requests", []),
        ("registry:claims", []),
        ("registry:import_list", []),
        ("registry:sentra_list", []),
        ("registry:sentra_new", []),
        ("registry:register", []),
        ("registry:import_template", []),
    ]:
        response = c.get(reverse(name, args=args))
        assert response.status_code == 200, name
    assert c.get("/dashboard/").status_code == 200
