"""The register's list at scale: the light path equals the serializer, few queries, cheap counts
(issue 9; the figures are in docs/performance.md, measured by `make bench`, never here)."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIRequestFactory

from ikm_portal.core.pagination import cheap_count
from registry.api.serializers import EnterpriseSerializer
from registry.models import Enterprise
from tests.factories import CertificationFactory, EnterpriseFactory, ProductFactory

pytestmark = pytest.mark.django_db


def _detail_shape(enterprise, user):
    request = APIRequestFactory().get("/")
    request.user = user
    instance = Enterprise.objects.get(pk=enterprise.pk)
    data = EnterpriseSerializer(instance, context={"request": request}).data
    return dict(data)


@pytest.mark.parametrize("who", ["staff", "office_admin", "owner"])
def test_list_items_equal_the_serializer(who, staff, office_admin, owner, api_as):
    user = {"staff": staff, "office_admin": office_admin, "owner": owner}[who]
    full = EnterpriseFactory(
        owner=owner,
        submitted=True,
        products=2,
        latitude=Decimal("-7.96662"),
        longitude=Decimal("112.6326"),
        land_building_idr=150_000_000,
    )
    ProductFactory(enterprise=full, capacity_per_year=None, position=5)
    CertificationFactory(enterprise=full, expires_on=datetime.date(2028, 3, 1))
    CertificationFactory(enterprise=full, kind="pirt", expires_on=None)
    bare = EnterpriseFactory(owner=owner, products=0, kelurahan=None, consent_at=None)
    results = api_as(user).get("/api/v1/enterprises/").json()["results"]
    by_id = {r["id"]: r for r in results}
    assert by_id[full.pk] == _detail_shape(full, user)
    assert by_id[bare.pk] == _detail_shape(bare, user)


def test_a_full_page_takes_at_most_three_queries(staff, api_as):
    for _ in range(3):
        EnterpriseFactory(submitted=True, products=2)
    client = api_as(staff)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/api/v1/enterprises/?page_size=2")
    body = response.json()
    assert (body["count"], len(body["results"])) == (3, 2)
    assert body["next"].endswith("page=2&page_size=2") or "page=2" in body["next"]
    # The user's roles and permissions are read once per request whatever the page; the page
    # itself is the rows and the count.
    page_queries = [q["sql"] for q in ctx.captured_queries if "registry_enterprise" in q["sql"]]
    assert len(page_queries) <= 3
    assert len(ctx.captured_queries) - len(page_queries) <= 3
    second = client.get(body["next"]).json()
    assert (second["count"], len(second["results"]), second["next"]) == (3, 1, None)
    assert second["previous"] is not None


def test_a_page_beyond_the_end_is_404(staff, api_as):
    EnterpriseFactory(submitted=True)
    assert api_as(staff).get("/api/v1/enterprises/?page=2").status_code == 404
    assert api_as(staff).get("/api/v1/enterprises/?page=x").status_code == 404


def test_cheap_count_is_exact_below_the_limit():
    EnterpriseFactory.create_batch(3, products=0)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE registry_enterprise")
    assert cheap_count(Enterprise.objects.all(), exact_limit=5).value == 3
    assert cheap_count(Enterprise.objects.all(), exact_limit=5).estimated is False


@pytest.mark.postgres
def test_cheap_count_estimates_above_the_limit():
    if connection.vendor != "postgresql":
        pytest.skip("the planner's estimate is PostgreSQL's")
    EnterpriseFactory.create_batch(4, products=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_enterprise")
    count = cheap_count(Enterprise.objects.all(), exact_limit=1)
    assert (count.value, count.estimated) == (4, True)
    # Between the limit and ten times it, a bounded count checks the estimate.
    assert cheap_count(Enterprise.objects.all(), exact_limit=2).estimated is True
    assert cheap_count(Enterprise.objects.all(), exact_limit=10).estimated is False


def test_search_finds_product_names_and_ranks_the_name_first(staff, api_as):
    by_product = EnterpriseFactory(name="UD Sumber Rejeki", brand="", products=0)
    ProductFactory(enterprise=by_product, name="Keripik Singkong")
    from registry.services import enterprise_update

    enterprise_update(
        enterprise=by_product,
        actor=staff,
        data={},
        products=[{"kbli": by_product.products.get().kbli, "name": "Keripik Singkong"}],
    )
    by_name = EnterpriseFactory(name="Keripik Singkong Bu Sri", brand="", products=0)
    EnterpriseFactory(name="Batik Tulis", brand="", products=0)
    results = api_as(staff).get("/api/v1/enterprises/?q=singkong").json()["results"]
    assert [r["id"] for r in results] == [by_name.pk, by_product.pk]


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _fresh(user):
    from ikm_portal.accounts.models import User

    return User.objects.get(pk=user.pk)


def test_register_page_query_count_is_the_same_for_1_and_20_rows(staff, client_as):
    from tests.factories import SentraFactory

    sentra = SentraFactory()
    EnterpriseFactory(submitted=True, products=2, sentra=sentra)
    one = _queries(client_as(_fresh(staff)), "/registry/list/")
    for _ in range(19):
        e = EnterpriseFactory(submitted=True, products=2, sentra=sentra)
        CertificationFactory(enterprise=e)
    assert _queries(client_as(_fresh(staff)), "/registry/list/") == one


def test_history_list_query_count_is_constant(staff, api_as):
    from registry.services import enterprise_update

    e = EnterpriseFactory(submitted=True)
    enterprise_update(enterprise=e, actor=staff, data={"brand": "A"}, check_editable=False)
    one = _queries(api_as(_fresh(staff)), f"/api/v1/enterprises/{e.pk}/history/")
    for i in range(19):
        enterprise_update(enterprise=e, actor=staff, data={"brand": f"B{i}"}, check_editable=False)
    assert _queries(api_as(_fresh(staff)), f"/api/v1/enterprises/{e.pk}/history/") == one


def test_import_jobs_list_query_count_is_constant(office_admin, api_as):
    from django.core.files.base import ContentFile

    from registry.models import ImportJob

    def job():
        j = ImportJob(created_by=office_admin, original_name="a.csv", file_format="csv")
        j.file.save("a.csv", ContentFile(b"x"), save=False)
        j.save()

    job()
    one = _queries(api_as(_fresh(office_admin)), "/api/v1/enterprises/imports/")
    for _ in range(19):
        job()
    assert _queries(api_as(_fresh(office_admin)), "/api/v1/enterprises/imports/") == one


@pytest.mark.parametrize("path", ["/api/v1/regions/?page_size=1", "/api/v1/kbli/?page_size=1"])
def test_reference_lists_query_count_is_the_same_for_1_and_20_rows(path, staff, api_as):
    one = _queries(api_as(_fresh(staff)), path)
    twenty = _queries(api_as(_fresh(staff)), path.replace("page_size=1", "page_size=20"))
    assert twenty == one
