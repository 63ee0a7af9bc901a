"""similar_names_bulk (the import's near-duplicate names, in memory) gives exactly what
similar_names_many (pg_trgm's similarity, one LATERAL probe per row) gives: the same ids, in the
same order, with the same scores."""

import random

import pytest
from django.db import connection

from registry.choices import EnterpriseStatus
from registry.models import Enterprise
from registry.services.derive import name_key
from registry.services.duplicates import similar_names_bulk, similar_names_many

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm is PostgreSQL's"),
]

WORDS = ["keripik", "tempe", "sanan", "jaya", "kue", "bu", "sri", "batik", "malang", "arema"]
WORDS += ["sari", "apel", "a", "b", "12", "7", "makmur", "abadi", "rotan", "indah"]
KELURAHAN = ["35.73.05.1004", "35.73.05.1005", "35.73.01.1007"]


def names(rng, n):
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))) for _ in range(n)]


def test_bulk_gives_what_the_sql_probe_gives(reference):
    rng = random.Random(2026)
    statuses = [*EnterpriseStatus.values] + [EnterpriseStatus.VERIFIED] * 5
    Enterprise.objects.bulk_create(
        [
            Enterprise(
                name=name,
                name_key=name_key(name),
                kelurahan_id=rng.choice(KELURAHAN),
                status=rng.choice(statuses),
            )
            for name in names(rng, 600)
        ]
    )
    items = [(rng.choice([*KELURAHAN, "", "35.73.02.1001"]), key) for key in names(rng, 400)]
    items += [(KELURAHAN[0], ""), (KELURAHAN[1], "zzz qqq")]
    expected = similar_names_many(items)
    assert similar_names_bulk(items) == expected
    assert sum(len(found) for found in expected) > 200  # many pairs compared
    assert similar_names_bulk(items, limit=10) == similar_names_many(items, limit=10)
