"""Every registry page per role: anonymous → login, partner users → 403, another owner → 404."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry import services
from registry.models import Enterprise
from tests.factories import EnterpriseFactory, VerifiedEnterpriseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def roles(owner, other_owner, staff, partner_manager, partner_reviewer):
    return {
        "owner": owner,
        "other_owner": other_owner,
        "staff": staff,
        "partner_manager": partner_manager,
        "partner_reviewer": partner_reviewer,
    }


# (url template, {role: expected status}); {pk} is a draft of `owner`.
OWNER_PAGES = [
    (
        "/registry/",
        {
            "owner": 200,
            "other_owner": 200,
            "staff": 302,
            "partner_manager": 403,
            "partner_reviewer": 403,
        },
    ),
    (
        "/registry/register/",
        {
            "owner": 200,
            "other_owner": 200,
            "staff": 200,
            "partner_manager": 403,
            "partner_reviewer": 403,
        },
    ),
    (
        "/registry/business/{pk}/",
        {
            "owner": 200,
            "other_owner": 404,
            "staff": 200,
            "partner_manager": 403,
            "partner_reviewer": 403,
        },
    ),
    (
        "/registry/business/{pk}/step/owner/",
        {
            "owner": 200,
            "other_owner": 404,
            "staff": 200,
            "partner_manager": 403,
            "partner_reviewer": 403,
        },
    ),
    (
        "/registry/business/{pk}/step/products/",
        {
            "owner": 200,
            "other_owner": 404,
            "staff": 200,
            "partner_manager": 403,
            "partner_reviewer": 403,
        },
    ),
    (
        "/registry/business/{pk}/review/",
        {
            "owner": 200,
            "other_owner": 404,
            "staff": 200,
            "partner_manager": 403,
            "partner_reviewer": 403,
        },
    ),
    (
        "/registry/business/{pk}/continue/",
        {
            "owner": 302,
            "other_owner": 404,
            "staff": 302,
            "partner_manager": 403,
            "partner_reviewer": 403,
        },
    ),
    (
        "/registry/claim/",
        {
            "owner": 200,
            "other_owner": 200,
            "staff": 302,
            "partner_manager": 403,
            "partner_reviewer": 403,
        },
    ),
    (
        "/registry/kelurahan-options/?kecamatan=35.73.05",
        {"owner": 200, "staff": 200, "partner_manager": 403},
    ),
]
STAFF_PAGES = [
    "/registry/queue/",
    "/registry/list/",
    "/registry/list/export/?format=csv",
    "/registry/business/{pk}/action/verify/",
    "/registry/duplicates/",
    "/registry/change-requests/",
    "/registry/claims/",
    "/registry/imports/",
    "/registry/imports/template.xlsx",
    "/registry/sentra/",
    "/registry/sentra/new/",
]


@pytest.mark.parametrize("url, expected", OWNER_PAGES)
def test_owner_pages_per_role(url, expected, roles, owner, client_as):
    draft = EnterpriseFactory(owner=owner)
    for role, status in expected.items():
        response = client_as(roles[role]).get(url.format(pk=draft.pk))
        assert response.status_code == status, (role, url)


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_per_role(url, roles, owner, client_as):
    draft = EnterpriseFactory(owner=owner, submitted=True)
    for role, status in {
        "owner": 403,
        "other_owner": 403,
        "staff": 200,
        "partner_manager": 403,
        "partner_reviewer": 403,
    }.items():
        response = client_as(roles[role]).get(url.format(pk=draft.pk))
        assert response.status_code == status, (role, url)


@pytest.mark.parametrize("url", ["/registry/", "/registry/list/", "/registry/register/"])
def test_anonymous_is_sent_to_login(url, client):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_owner_cannot_edit_a_submitted_business(owner, client_as):
    enterprise = EnterpriseFactory(owner=owner, submitted=True)
    response = client_as(owner).get(f"/registry/business/{enterprise.pk}/step/owner/")
    assert response.status_code == 302
    assert response.url == f"/registry/business/{enterprise.pk}/"


def test_owner_of_a_verified_business_is_sent_to_a_change_request(owner, client_as):
    enterprise = VerifiedEnterpriseFactory(owner=owner)
    response = client_as(owner).get(f"/registry/business/{enterprise.pk}/step/owner/")
    assert response.url == f"/registry/business/{enterprise.pk}/change/"


def test_owner_sees_only_their_businesses(owner, other_owner, client_as):
    EnterpriseFactory(owner=owner, name="Milik Saya")
    EnterpriseFactory(owner=other_owner, name="Milik Orang")
    page = client_as(owner).get("/registry/").content.decode()
    assert "Milik Saya" in page
    assert "Milik Orang" not in page


def test_illegal_action_is_refused_with_a_message(staff, client_as):
    enterprise = VerifiedEnterpriseFactory()
    response = client_as(staff).post(
        f"/registry/business/{enterprise.pk}/action/reject/", {"reason": "x"}, follow=True
    )
    assert Enterprise.objects.get(pk=enterprise.pk).status == "verified"
    text = response.content.decode()
    assert "cannot become" in text or "tidak dapat menjadi" in text


def test_nik_search_is_posted_not_in_the_url(staff, client_as):
    target = EnterpriseFactory(owner_nik="3573054512850001", submitted=True, name="Ketemu")
    EnterpriseFactory(submitted=True, name="Tidak")
    response = client_as(staff).post("/registry/list/", {"nik": "3573 0545 1285 0001"})
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [target]
    assert "3573054512850001" not in response.content.decode()  # masked in the page


def test_register_filters_sort_and_counts(staff, client_as):
    EnterpriseFactory(submitted=True, name="Bakso")
    VerifiedEnterpriseFactory(name="Apem")
    everything = client_as(staff).get("/registry/list/")
    assert [e.name for e in everything.context["page"].object_list] == ["Apem", "Bakso"]
    response = client_as(staff).get("/registry/list/?ordering=name")
    assert [e.name for e in response.context["page"].object_list] == ["Apem", "Bakso"]
    assert (response.context["counts"]["total"], response.context["counts"]["verified"]) == (2, 1)
    response = client_as(staff).get("/registry/list/?status=verified")
    assert [e.name for e in response.context["page"].object_list] == ["Apem"]
    assert response.context["counts"]["submitted"] == 1  # the tabs count without the status filter


def test_queue_is_oldest_first_with_duplicate_counts(staff, client_as):
    import datetime

    from django.utils import timezone

    newer = EnterpriseFactory(submitted=True, phone="+6281200000009", name="Baru")
    older = EnterpriseFactory(submitted=True, name="Lama", phone="+6281200000008")
    Enterprise.objects.filter(pk=older.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=3)
    )
    VerifiedEnterpriseFactory(phone="+6281200000009", name="Kembar")
    services.duplicates_flag(Enterprise.objects.get(pk=newer.pk))
    rows = list(client_as(staff).get("/registry/queue/").context["page"].object_list)
    assert [(e.name, e.open_flags) for e in rows] == [("Lama", 0), ("Baru", 1)]


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/registry/list/", "/registry/queue/"])
def test_list_pages_query_count_is_the_same_for_1_and_20_rows(url, staff, client_as):
    client = client_as(staff)
    EnterpriseFactory(submitted=True, products=2)
    one = _page_queries(client, url)
    for _ in range(19):
        EnterpriseFactory(submitted=True, products=2)
    assert _page_queries(client, url) == one


def test_bad_input_on_a_step_keeps_the_draft(owner, client_as):
    enterprise = EnterpriseFactory(owner=owner, nib="9120001234567")
    response = client_as(owner).post(
        f"/registry/business/{enterprise.pk}/step/business/",
        {"name": "X", "nib": "123", "legal_form": "ud", "year_established": "2999"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"nib", "year_established"}
    enterprise.refresh_from_db()
    assert (enterprise.nib, enterprise.name) == ("9120001234567", enterprise.name)


@pytest.mark.parametrize(
    "data, field",
    [
        (
            {
                "workers_male": "0",
                "workers_female": "0",
                "investment_idr": "1",
                "annual_turnover_idr": "1",
            },
            "workers_male",
        ),
        (
            {
                "workers_male": "1",
                "workers_female": "0",
                "investment_idr": "-5",
                "annual_turnover_idr": "1",
            },
            "investment_idr",
        ),
        (
            {
                "workers_male": "1",
                "workers_female": "0",
                "investment_idr": "abc",
                "annual_turnover_idr": "1",
            },
            "investment_idr",
        ),
    ],
)
def test_workforce_step_errors(data, field, owner, client_as):
    enterprise = EnterpriseFactory(owner=owner)
    response = client_as(owner).post(f"/registry/business/{enterprise.pk}/step/workforce/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors


def test_owner_step_errors_name_the_field(owner, client_as):
    response = client_as(owner).post(
        "/registry/register/",
        {"owner_name": "A", "owner_nik": "1234", "owner_gender": "male", "phone": "021555"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"owner_nik", "phone", "consent"}
    assert Enterprise.objects.count() == 0


def test_duplicate_nib_on_a_step_is_a_form_error(owner, client_as):
    VerifiedEnterpriseFactory(nib="9120001234567")
    enterprise = EnterpriseFactory(owner=owner)
    response = client_as(owner).post(
        f"/registry/business/{enterprise.pk}/step/business/",
        {"name": "Baru", "nib": "9120001234567", "legal_form": "ud", "year_established": "2015"},
    )
    assert response.status_code == 200
    assert "nib" in response.context["form"].errors


def test_kelurahan_options_narrow_to_the_kecamatan(reference, owner, client_as):
    text = client_as(owner).get("/registry/kelurahan-options/?kecamatan=35.73.05").content.decode()
    assert "Dinoyo" in text
    assert "Purwantoro" not in text
    assert "<optgroup" not in text
    everything = client_as(owner).get("/registry/kelurahan-options/").content.decode()
    assert everything.count("<optgroup") == 5


def test_walk_in_registration_by_staff(reference, staff, owner, client_as):
    client = client_as(staff)
    response = client.post(
        "/registry/register/",
        {
            "owner_name": "Pak Slamet",
            "owner_nik": "3573051204700001",
            "owner_gender": "male",
            "phone": "081299990000",
            "consent": "on",
            "owner_account": "",
            "source": "walk_in",
        },
    )
    enterprise = Enterprise.objects.get()
    assert response.status_code == 302
    assert (enterprise.owner, enterprise.source, enterprise.created_by) == (None, "walk_in", staff)
    client.post(
        "/registry/register/",
        {
            "owner_name": owner.full_name,
            "owner_nik": "3573051204700002",
            "owner_gender": "male",
            "phone": "081299990001",
            "consent": "on",
            "owner_account": owner.email,
            "source": "enumerator",
        },
    )
    assert Enterprise.objects.get(source="enumerator").owner == owner


def test_dashboard_panels(owner, staff, client_as):
    EnterpriseFactory(owner=owner, name="Panel Saya")
    assert "Panel Saya" in client_as(owner).get("/dashboard/").content.decode()
    assert client_as(staff).get("/dashboard/").status_code == 200


def test_nav_items_per_role(owner, staff, partner_manager):
    from ikm_portal.core.extensions import nav_items

    assert [str(i.label) for i in nav_items(owner) if "registry" in i.url] != []
    assert [i.url for i in nav_items(staff) if i.url.startswith("/registry/")] == [
        "/registry/queue/",
        "/registry/list/",
    ]
    assert [i.url for i in nav_items(partner_manager) if i.url.startswith("/registry/")] == []


def test_untouched_extra_rows_of_the_products_step_save_nothing(reference, owner, client_as):
    from registry.models import Kbli

    enterprise = EnterpriseFactory(owner=owner, products=0)
    page = client_as(owner).get(f"/registry/business/{enterprise.pk}/step/products/")
    assert 'name="certs-0-kind"' in page.content.decode()
    # What a browser sends for the untouched certification row: the selects' first options.
    response = client_as(owner).post(
        f"/registry/business/{enterprise.pk}/step/products/",
        {
            "products-TOTAL_FORMS": "1",
            "products-INITIAL_FORMS": "0",
            "products-MIN_NUM_FORMS": "1",
            "products-MAX_NUM_FORMS": "30",
            "products-0-kbli": str(Kbli.objects.get(code="10391").pk),
            "products-0-name": "Tempe",
            "products-0-capacity_per_year": "",
            "products-0-capacity_unit": "",
            "products-0-raw_materials": "",
            "products-0-marketing_reach": "",
            "certs-TOTAL_FORMS": "1",
            "certs-INITIAL_FORMS": "0",
            "certs-MIN_NUM_FORMS": "0",
            "certs-MAX_NUM_FORMS": "20",
            "certs-0-kind": "",
            "certs-0-number": "",
            "certs-0-expires_on": "",
        },
    )
    assert response.status_code == 302
    assert list(enterprise.products.values_list("name", flat=True)) == ["Tempe"]
    assert enterprise.certifications.count() == 0
