"""seed_scale: reproducible synthetic data (the figures are `make bench`'s, never a test's)."""

import pytest
from django.core.management import call_command

from ikm_portal.core.crypto import decrypt_text, keyed_hash
from registry.models import Enterprise, Product
from registry.seeding import ENTERPRISE_COLUMNS, Generator, load_reference
from training.models import Application, TrackChoice

pytestmark = pytest.mark.django_db


def test_seed_scale_writes_businesses_and_applications(capsys):
    call_command("load_demo", reference_only=True)
    call_command("seed_scale", enterprises=60, applications=5, seed=7)
    assert Enterprise.objects.count() == 60
    assert Product.objects.count() >= 60
    assert Application.objects.count() == 5
    assert TrackChoice.objects.count() == 15
    e = Enterprise.objects.exclude(owner_nik="").first()
    assert len(e.owner_nik) == 16
    assert e.owner_nik_hash == keyed_hash(e.owner_nik)
    assert e.kecamatan_id == e.kelurahan.parent_id
    assert e.kecamatan_id.startswith("35.")
    assert e.workers_total == e.workers_male + e.workers_female + e.workers_unspecified
    assert e.product_names
    assert "60 businesses" in capsys.readouterr().out


def test_the_same_seed_gives_the_same_rows():
    call_command("load_demo", reference_only=True)
    ref = load_reference()
    nik = ENTERPRISE_COLUMNS.index("owner_nik")
    first = [Generator(ref, seed=3, first_id=1).enterprise(i) for i in range(5)]
    again = [Generator(ref, seed=3, first_id=1).enterprise(i) for i in range(5)]
    for (row_a, *rest_a), (row_b, *rest_b) in zip(first, again, strict=True):
        # The NIK token has a random IV; its plain value and everything else are equal.
        assert decrypt_text(row_a[nik]) == decrypt_text(row_b[nik])
        assert row_a[:nik] + row_a[nik + 1 :] == row_b[:nik] + row_b[nik + 1 :]
        assert rest_a == rest_b
