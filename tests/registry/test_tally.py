"""The register's maintained counts (registry/models/tally.py): the triggers keep them equal to
the table through every kind of write, the lists read them instead of counting rows, and
compaction and rebuilding keep the sums (issue 9, item 2)."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry import services
from registry.choices import EnterpriseStatus
from registry.filtersets import EnterpriseFilterSet, tally_filters
from registry.models import Enterprise, EnterpriseTally
from registry.services.tally import tally_compact, tally_mismatches, tally_rebuild
from registry.tasks import tally_compact_task
from tests.factories import EnterpriseFactory
from tests.factories.registry import region

pytestmark = pytest.mark.django_db

SUKUN = "35.73.05"  # the factories' kelurahan 35.73.05.1004 lies in it
KLOJEN = "35.73.01"


def _sum(**filters) -> int:
    return sum(EnterpriseTally.objects.filter(**filters).values_list("n", flat=True))


@pytest.mark.postgres
def test_tally_follows_creates_transitions_moves_bulk_updates_and_deletes(staff):
    made = [EnterpriseFactory(submitted=True, products=0) for _ in range(3)]
    EnterpriseFactory(products=0)  # a draft
    assert _sum(kecamatan_id=SUKUN, status="submitted") == 3
    services.enterprise_verify(enterprise=made[0], actor=staff)
    moved = Enterprise.objects.get(pk=made[1].pk)
    moved.kelurahan = region("35.73.01.1007")
    moved.kecamatan = region(KLOJEN)
    moved.save()
    Enterprise.objects.filter(pk=made[2].pk).update(status=EnterpriseStatus.ARCHIVED)
    Enterprise.objects.filter(status=EnterpriseStatus.DRAFT).delete()
    Enterprise.objects.bulk_create(
        [Enterprise(name=f"Batch {i}", status=EnterpriseStatus.VERIFIED) for i in range(4)]
    )

    assert tally_mismatches() == []
    assert _sum(kecamatan_id=SUKUN, status="verified") == 1
    assert _sum(kecamatan_id=KLOJEN, status="submitted") == 1
    assert _sum(kecamatan_id=SUKUN, status="archived") == 1
    assert _sum(status="draft") == 0
    assert _sum(kecamatan_id__isnull=True, status="verified") == 4
    assert _sum() == Enterprise.objects.count() == 7


@pytest.mark.postgres
def test_an_update_that_moves_nobody_writes_no_delta():
    enterprise = EnterpriseFactory(verified=True, products=0)
    rows = EnterpriseTally.objects.count()
    Enterprise.objects.filter(pk=enterprise.pk).update(name="Keripik Baru")
    assert EnterpriseTally.objects.count() == rows


@pytest.mark.postgres
def test_compaction_keeps_every_sum_in_one_row_per_bucket_and_is_idempotent(staff):
    made = EnterpriseFactory.create_batch(4, submitted=True, products=0)
    for enterprise in made[:3]:
        services.enterprise_verify(enterprise=enterprise, actor=staff)
    Enterprise.objects.filter(pk=made[3].pk).delete()
    assert EnterpriseTally.objects.count() > 2

    done = tally_compact()

    buckets = list(EnterpriseTally.objects.values_list("kecamatan_id", "status", "n"))
    assert buckets == [(SUKUN, "verified", 3)]
    assert done == {"before": done["before"], "after": 1}
    assert tally_compact_task.delay().get() == {"before": 1, "after": 1}
    assert list(EnterpriseTally.objects.values_list("kecamatan_id", "status", "n")) == buckets


@pytest.mark.postgres
def test_a_wrong_tally_is_reported_and_rebuilt():
    EnterpriseFactory.create_batch(2, verified=True, products=0)
    EnterpriseTally.objects.create(kecamatan_id=SUKUN, status="verified", size_class="", n=5)
    assert len(tally_mismatches()) == 1
    with pytest.raises(CommandError, match="1 buckets differ"):
        call_command("tally")

    assert tally_rebuild() == 1
    call_command("tally", "--compact")
    assert tally_mismatches() == []
    assert _sum(status="verified") == 2


@pytest.mark.postgres
def test_filtered_api_count_comes_from_the_tally_exactly(staff, api_as):
    EnterpriseFactory.create_batch(3, verified=True, products=0)
    EnterpriseFactory(submitted=True, products=0)
    size = Enterprise.objects.first().size_class
    url = f"/api/v1/enterprises/?kecamatan=357305&status=verified&page_size=2&size_class={size}"
    with CaptureQueriesContext(connection) as ctx:
        response = api_as(staff).get(url)
    body = response.json()
    assert (response.status_code, body["count"], len(body["results"])) == (200, 3, 2)
    assert "X-Count-Estimated" not in response
    sql = [q["sql"] for q in ctx.captured_queries]
    assert any("registry_enterprisetally" in s for s in sql)
    assert not any("COUNT(" in s.upper() and 'registry_enterprise"' in s for s in sql)


def test_filters_beyond_the_tally_are_counted_on_the_table(staff, api_as):
    EnterpriseFactory.create_batch(3, verified=True, products=0)
    EnterpriseFactory(verified=True, products=0, nib="")
    body = api_as(staff).get("/api/v1/enterprises/?status=verified&has_nib=true&page_size=2").json()
    assert body["count"] == 3
    body = api_as(staff).get("/api/v1/enterprises/?q=Nomor&page_size=2").json()
    assert body["count"] == 4


def test_an_owner_counts_only_their_own_businesses(owner, api_as):
    EnterpriseFactory.create_batch(3, owner=owner, verified=True, products=0)
    EnterpriseFactory.create_batch(4, verified=True, products=0)
    body = api_as(owner).get("/api/v1/enterprises/?status=verified&page_size=2").json()
    assert (body["count"], len(body["results"])) == (3, 2)


def test_register_tabs_count_every_status_exactly(staff, client_as):
    EnterpriseFactory.create_batch(2, verified=True, products=0)
    EnterpriseFactory(submitted=True, products=0)
    response = client_as(staff).get(reverse("registry:list"), {"kecamatan": SUKUN})
    counts = response.context["counts"]
    assert (counts["verified"], counts["submitted"], counts["draft"], counts["total"]) == (
        2,
        1,
        0,
        3,
    )
    assert counts["estimated"] == set()
    assert response.context["page"].paginator.count == 3


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"kecamatan": None, "statuses": [], "size_classes": []}),
        (
            {"kecamatan": "357305", "status": ["verified"], "ordering": "name"},
            {"kecamatan": SUKUN, "statuses": ["verified"], "size_classes": []},
        ),
        ({"status": ["verified"], "q": "tempe"}, None),
        ({"kelurahan": "35.73.05.1004"}, None),
        ({"kbli": "10"}, None),
    ],
)
def test_tally_filters_only_for_kecamatan_status_and_size(params, expected):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    filterset = EnterpriseFilterSet(query, queryset=Enterprise.objects.all())
    assert filterset.is_valid()
    assert tally_filters(filterset) == expected


def test_compaction_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["registry-tally-compact"]
    assert entry["task"] == tally_compact_task.name == "registry.tasks.tally_compact_task"


@pytest.mark.postgres
def test_seed_scale_keeps_the_tally_exact_also_when_topping_up():
    from registry.seeding import seed_enterprises

    call_command("load_demo", reference_only=True)
    EnterpriseFactory(verified=True, products=0)
    seed_enterprises(count=80, seed=3, chunk=30, workers=1)
    seed_enterprises(count=40, seed=4, chunk=30, workers=1)
    assert tally_mismatches() == []
    assert _sum() == Enterprise.objects.count() == 121
