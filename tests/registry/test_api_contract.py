"""API contract per role: anonymous, owner, other owner, office staff, partner users."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registry.models import Enterprise
from tests.factories import EnterpriseFactory, VerifiedEnterpriseFactory

pytestmark = pytest.mark.django_db

ENTERPRISE_FIELDS = {
    "id",
    "status",
    "status_reason",
    "owner",
    "source",
    "owner_name",
    "owner_nik",
    "owner_gender",
    "phone",
    "email",
    "name",
    "brand",
    "nib",
    "npwp",
    "legal_form",
    "year_established",
    "sentra",
    "address",
    "rt_rw",
    "kelurahan",
    "kecamatan",
    "postal_code",
    "latitude",
    "longitude",
    "workers_male",
    "workers_female",
    "workers_unspecified",
    "workers_total",
    "investment_idr",
    "land_building_idr",
    "annual_turnover_idr",
    "modal_usaha_idr",
    "size_class",
    "size_class_rule",
    "umkm_class",
    "umkm_class_rule",
    "products",
    "certifications",
    "consent_version",
    "consent_at",
    "submitted_at",
    "verified_at",
    "created_at",
    "updated_at",
}


@pytest.fixture
def roles(owner, other_owner, staff, partner_manager, partner_reviewer):
    return {
        "anonymous": None,
        "owner": owner,
        "other_owner": other_owner,
        "staff": staff,
        "partner_manager": partner_manager,
        "partner_reviewer": partner_reviewer,
    }


@pytest.fixture
def business(owner):
    return EnterpriseFactory(owner=owner, submitted=True)


LIST_EXPECT = {
    "anonymous": 401,
    "owner": 200,
    "other_owner": 200,
    "staff": 200,
    "partner_manager": 403,
    "partner_reviewer": 403,
}
DETAIL_EXPECT = {
    "anonymous": 401,
    "owner": 200,
    "other_owner": 404,
    "staff": 200,
    "partner_manager": 403,
    "partner_reviewer": 403,
}


@pytest.mark.parametrize("role", LIST_EXPECT)
def test_list_per_role(role, roles, business, api_as):
    response = api_as(roles[role]).get("/api/v1/enterprises/")
    assert response.status_code == LIST_EXPECT[role]
    if response.status_code == 200:
        ids = [r["id"] for r in response.json()["results"]]
        assert ids == ([] if role == "other_owner" else [business.pk])


@pytest.mark.parametrize("role", DETAIL_EXPECT)
@pytest.mark.parametrize("suffix", ["", "history/"])
def test_detail_and_history_per_role(role, suffix, roles, business, api_as):
    response = api_as(roles[role]).get(f"/api/v1/enterprises/{business.pk}/{suffix}")
    assert response.status_code == DETAIL_EXPECT[role]


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", 401),
        ("owner", 403),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_manager", 403),
        ("partner_reviewer", 403),
    ],
)
def test_duplicates_per_role(role, expected, roles, business, api_as):
    response = api_as(roles[role]).get(f"/api/v1/enterprises/{business.pk}/duplicates/")
    assert response.status_code == expected


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", 401),
        ("owner", 403),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_manager", 403),
        ("partner_reviewer", 403),
    ],
)
@pytest.mark.parametrize("action", ["verify", "request-revision", "reject", "archive"])
def test_decisions_per_role(role, expected, action, roles, business, api_as):
    response = api_as(roles[role]).post(
        f"/api/v1/enterprises/{business.pk}/{action}/", {"reason": "Alasan"}
    )
    assert response.status_code == expected


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", 401),
        ("owner", 200),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_manager", 403),
        ("partner_reviewer", 403),
    ],
)
def test_submit_per_role(role, expected, roles, owner, api_as):
    draft = EnterpriseFactory(owner=owner)
    response = api_as(roles[role]).post(f"/api/v1/enterprises/{draft.pk}/submit/")
    assert response.status_code == expected


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", 401),
        ("owner", 200),
        ("other_owner", 404),
        ("staff", 200),
        ("partner_manager", 403),
        ("partner_reviewer", 403),
    ],
)
def test_partial_update_per_role(role, expected, roles, owner, api_as):
    draft = EnterpriseFactory(owner=owner)
    response = api_as(roles[role]).patch(
        f"/api/v1/enterprises/{draft.pk}/", {"brand": "Baru"}, format="json"
    )
    assert response.status_code == expected


@pytest.mark.parametrize(
    "role, expected",
    [("anonymous", 401), ("owner", 403), ("staff", 200), ("partner_manager", 403)],
)
@pytest.mark.parametrize(
    "path", ["/api/v1/enterprises/export/?format=csv", "/api/v1/enterprises/imports/"]
)
def test_office_only_endpoints_per_role(role, expected, path, roles, api_as):
    assert api_as(roles[role]).get(path).status_code == expected


@pytest.mark.parametrize(
    "role, expected",
    [
        ("anonymous", 401),
        ("owner", 200),
        ("staff", 200),
        ("partner_manager", 403),
        ("partner_reviewer", 403),
    ],
)
@pytest.mark.parametrize("path", ["/api/v1/regions/", "/api/v1/kbli/"])
def test_reference_endpoints_per_role(role, expected, path, roles, api_as):
    assert api_as(roles[role]).get(path).status_code == expected


def test_retrieve_has_the_contract_fields(business, api_as):
    data = api_as(business.owner).get(f"/api/v1/enterprises/{business.pk}/").json()
    assert set(data) == ENTERPRISE_FIELDS
    assert set(data["products"][0]) == {
        "kbli_code",
        "kbli_version",
        "kbli_title",
        "name",
        "capacity_per_year",
        "capacity_unit",
        "raw_materials",
        "marketing_reach",
    }
    assert data["kecamatan"] == "35.73.05"
    assert data["kelurahan"] == "35.73.05.1004"


def test_nik_is_masked_for_staff_without_the_permission(business, staff, api_as):
    data = api_as(staff).get(f"/api/v1/enterprises/{business.pk}/").json()
    assert data["owner_nik"] == "************" + business.owner_nik[-4:]


def test_nik_is_shown_to_the_owner_and_masked_even_for_office_admin(business, office_admin, api_as):
    """Issue 8: masked by default everywhere; unmasking is an explicit, logged action."""
    assert (
        api_as(business.owner).get(f"/api/v1/enterprises/{business.pk}/").json()["owner_nik"]
        == business.owner_nik
    )
    masked = "************" + business.owner_nik[-4:]
    client = api_as(office_admin)
    assert client.get(f"/api/v1/enterprises/{business.pk}/").json()["owner_nik"] == masked
    listed = client.get("/api/v1/enterprises/").json()["results"]
    assert [e["owner_nik"] for e in listed] == [masked]


def test_staff_with_unmask_permission_unmask_with_a_reason_and_it_is_logged(
    business, staff, api_as
):
    from django.contrib.auth.models import Permission

    from ikm_portal.datarights.models import AccessLog

    staff.user_permissions.add(Permission.objects.get(codename="unmask_nik"))
    client = api_as(staff)
    data = client.get(f"/api/v1/enterprises/{business.pk}/").json()
    assert data["owner_nik"] == "************" + business.owner_nik[-4:]
    assert AccessLog.objects.count() == 0
    url = f"/api/v1/enterprises/{business.pk}/unmask-nik/"
    assert client.post(url, {"reason": ""}, format="json").status_code == 400
    response = client.post(url, {"reason": "Cek data Dukcapil"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"owner_nik": business.owner_nik}
    log = AccessLog.objects.get()
    assert (log.action, log.actor, log.subject_user, log.subject, log.reason) == (
        "unmask",
        staff,
        business.owner,
        business,
        "Cek data Dukcapil",
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [("staff", 403), ("owner", 403), ("other_owner", 404), ("partner_reviewer", 403)],
)
def test_unmask_nik_without_the_permission_is_refused_and_not_logged(
    who, expected, business, request, api_as
):
    from ikm_portal.datarights.models import AccessLog

    user = business.owner if who == "owner" else request.getfixturevalue(who)
    response = api_as(user).post(
        f"/api/v1/enterprises/{business.pk}/unmask-nik/", {"reason": "ingin tahu"}, format="json"
    )
    assert response.status_code == expected
    assert AccessLog.objects.count() == 0


def test_paginated_shape(business, staff, api_as):
    assert set(api_as(staff).get("/api/v1/enterprises/").json()) == {
        "count",
        "next",
        "previous",
        "results",
    }


def test_illegal_transition_is_409(staff, api_as):
    enterprise = VerifiedEnterpriseFactory()
    response = api_as(staff).post(f"/api/v1/enterprises/{enterprise.pk}/reject/", {"reason": "x"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_reason_missing_is_400(staff, business, api_as):
    response = api_as(staff).post(f"/api/v1/enterprises/{business.pk}/reject/", {})
    assert response.status_code == 400
    assert "reason" in response.json()


def test_owner_cannot_patch_a_submitted_business(business, api_as):
    response = api_as(business.owner).patch(
        f"/api/v1/enterprises/{business.pk}/", {"brand": "X"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_editable"


def test_put_is_not_allowed(owner, api_as):
    draft = EnterpriseFactory(owner=owner)
    assert (
        api_as(owner).put(f"/api/v1/enterprises/{draft.pk}/", {}, format="json").status_code == 405
    )


@pytest.mark.parametrize(
    "query, expected",
    [
        ("status=submitted", {"a"}),
        ("status=verified", {"b"}),
        ("kecamatan=35.73.01", {"b"}),
        ("kelurahan=35.73.05.1004", {"a"}),
        ("kbli=10", {"a"}),
        ("kbli=13", {"b"}),
        ("kbli=13134", {"b"}),
        ("size_class=menengah", {"b"}),
        ("q=sanan", {"b"}),
        ("q=0813 9999 0000", {"a"}),
        ("ordering=-name", {"a", "b"}),
    ],
)
def test_list_filters(query, expected, staff, api_as):
    from tests.factories import ProductFactory, SentraFactory
    from tests.factories.registry import kbli, region

    a = EnterpriseFactory(submitted=True, name="Tempe Dinoyo", phone="+6281399990000")
    b = VerifiedEnterpriseFactory(
        name="Batik Sanan",
        kelurahan=region("35.73.01.1007"),
        workers_male=25,
        investment_idr=2_000_000_000,
        products=0,
    )
    ProductFactory(enterprise=b, kbli=kbli("13134", "Industri Batik"))
    sentra = SentraFactory(name="Sentra Batik")
    Enterprise.objects.filter(pk=b.pk).update(sentra=sentra)
    names = {a.pk: "a", b.pk: "b"}
    response = api_as(staff).get(f"/api/v1/enterprises/?{query}")
    assert response.status_code == 200
    assert {names[r["id"]] for r in response.json()["results"]} == expected
    by_sentra = api_as(staff).get(f"/api/v1/enterprises/?sentra={sentra.pk}").json()
    assert [r["id"] for r in by_sentra["results"]] == [b.pk]


def test_ordering_by_name(staff, api_as):
    EnterpriseFactory(name="Bakso", submitted=True)
    EnterpriseFactory(name="Apem", submitted=True)
    names = [
        r["name"] for r in api_as(staff).get("/api/v1/enterprises/?ordering=name").json()["results"]
    ]
    assert names == ["Apem", "Bakso"]


def test_nik_search_is_by_post_and_exact(staff, api_as):
    target = EnterpriseFactory(owner_nik="3573054512850001", submitted=True)
    EnterpriseFactory(owner_nik="3573054512850002", submitted=True)
    response = api_as(staff).post("/api/v1/enterprises/search-nik/", {"nik": "3573054512850001"})
    assert [r["id"] for r in response.json()["results"]] == [target.pk]
    assert api_as(staff).get("/api/v1/enterprises/search-nik/").status_code == 405
    partial = api_as(staff).post("/api/v1/enterprises/search-nik/", {"nik": "357305451285"})
    assert partial.status_code == 400


def test_q_never_searches_the_nik(staff, api_as):
    EnterpriseFactory(owner_nik="3573054512850001", submitted=True)
    assert api_as(staff).get("/api/v1/enterprises/?q=3573054512850001").json()["count"] == 0


def _list_queries(api_as, user):
    """Queries of one list request by a freshly loaded user (as a real request has)."""
    from ikm_portal.accounts.models import User

    client = api_as(User.objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/enterprises/")
    assert response.status_code == 200
    return len(ctx.captured_queries), response.json()["count"]


def test_list_query_count_is_the_same_for_1_and_20_rows(staff, api_as):
    from tests.factories import CertificationFactory

    first = EnterpriseFactory(submitted=True, products=2)
    CertificationFactory(enterprise=first)
    one, count = _list_queries(api_as, staff)
    assert count == 1
    for _ in range(19):
        e = EnterpriseFactory(submitted=True, products=2)
        CertificationFactory(enterprise=e)
    twenty, count = _list_queries(api_as, staff)
    assert (count, twenty) == (20, one)


def test_list_query_count_for_an_owner_is_constant(owner, api_as):
    EnterpriseFactory(owner=owner)
    one, _ = _list_queries(api_as, owner)
    for _ in range(19):
        EnterpriseFactory(owner=owner)
    twenty, count = _list_queries(api_as, owner)
    assert (count, twenty) == (20, one)
