"""seed_scale: reproducible synthetic data (the figures are `make bench`'s, never a test's)."""

import re

import pytest
from django.core.management import call_command

from ikm_portal.core.crypto import decrypt_text, keyed_hash
from ikm_portal.core.models import ActivityLog
from registry.classification import size_class, umkm_class
from registry.models import Certification, Enterprise, FieldChange, Product
from registry.seeding import (
    ACTIVITY_COLUMNS,
    CERTIFICATION_COLUMNS,
    ENTERPRISE_COLUMNS,
    HISTORY_COLUMNS,
    PRODUCT_COLUMNS,
    Generator,
    load_reference,
    parse_copy,
    seed_enterprises,
)
from registry.services.derive import name_key
from training.models import Application, TrackChoice

pytestmark = pytest.mark.django_db

TABLES = {
    "enterprises": ENTERPRISE_COLUMNS,
    "products": PRODUCT_COLUMNS,
    "certifications": CERTIFICATION_COLUMNS,
    "activity": ACTIVITY_COLUMNS,
    "history": HISTORY_COLUMNS,
}


@pytest.fixture
def ref():
    call_command("load_demo", reference_only=True)
    return load_reference()


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
    out = capsys.readouterr().out
    assert "60 businesses" in out
    for phase in ("generate", "copy", "total"):
        assert re.search(rf"\b{phase} [\d.]+ s\b", out)


def test_seed_enterprises_stores_what_was_generated(ref):
    done = seed_enterprises(count=120, seed=11, chunk=50, workers=1)
    assert done.enterprises == Enterprise.objects.count() == 120
    assert done.products == Product.objects.count()
    assert done.certifications == Certification.objects.count()
    assert done.activity == ActivityLog.objects.filter(action__startswith="enterprise.").count()
    assert done.history == FieldChange.objects.count()
    assert set(done.seconds) >= {"generate", "copy", "total"}
    # The generated times are kept, not replaced by the time of the insert.
    verified = Enterprise.objects.filter(status="verified").first()
    log = ActivityLog.objects.get(object_id=str(verified.pk), action="enterprise.verify")
    assert log.created_at == verified.verified_at
    assert verified.created_at < verified.submitted_at < verified.verified_at
    assert verified.updated_at == verified.status_changed_at == verified.verified_at
    for product in Product.objects.select_related("enterprise", "kbli")[:20]:
        assert product.kbli.code == product.kbli_code
        assert product.name in product.enterprise.product_names


def test_the_same_seed_gives_the_same_rows(ref):
    first = Generator(ref, seed=3, first_id=1).chunk(0, 200)
    again = Generator(ref, seed=3, first_id=1).chunk(0, 200)
    other = Generator(ref, seed=4, first_id=1).chunk(0, 200)
    nik = ENTERPRISE_COLUMNS.index("owner_nik")

    def plain(chunk):
        # The NIK token has a random IV: compare its plain value.
        rows = [line.split("\t") for line in chunk.enterprises.decode().splitlines()]
        return [[*r[:nik], decrypt_text(r[nik]), *r[nik + 1 :]] for r in rows]

    assert plain(first) == plain(again)
    for table in ("products", "certifications", "activity", "history"):
        assert getattr(first, table) == getattr(again, table)
    assert plain(first) != plain(other)


def test_the_workers_do_not_change_the_rows(ref):
    """Chunks are seeded by their number: two worker processes write what one would."""
    one = seed_enterprises(count=90, seed=5, chunk=40, workers=1)
    rows_one = list(Enterprise.objects.order_by("id").values_list("name", "owner_nik_hash"))
    Enterprise.objects.all().delete()
    two = seed_enterprises(count=90, seed=5, chunk=40, workers=2)
    rows_two = list(Enterprise.objects.order_by("id").values_list("name", "owner_nik_hash"))
    assert rows_one == rows_two
    assert (one.products, one.activity) == (two.products, two.activity)


def test_copy_text_has_every_column_and_nothing_to_escape(ref):
    chunk = Generator(ref, seed=8, first_id=1000, content_type=3).chunk(0, 500)
    for table, columns in TABLES.items():
        text = getattr(chunk, table).decode()
        assert text.endswith("\n") or not text
        assert text.count("\n") == chunk.counts[table]
        for line in text.splitlines():
            fields = line.split("\t")
            assert len(fields) == len(columns)
            assert all(f == "\\N" or "\\" not in f for f in fields)
    assert chunk.counts["enterprises"] == 500
    ids = [row["id"] for row in parse_copy(chunk.enterprises, ENTERPRISE_COLUMNS)]
    assert ids == [str(i) for i in range(1000, 1500)]


def test_generated_businesses_are_consistent(ref):
    chunk = Generator(ref, seed=9, first_id=1, content_type=3).chunk(0, 400)
    villages = {kel: kec for kel, kec, _postal in ref.villages}
    rows = parse_copy(chunk.enterprises, ENTERPRISE_COLUMNS)
    niks = set()
    for row in rows:
        nik = decrypt_text(row["owner_nik"])
        niks.add(nik)
        assert re.fullmatch(r"\d{16}", nik)
        assert row["owner_nik_hash"] == keyed_hash(nik)
        assert nik[:6] == row["kecamatan_id"].replace(".", "")
        day = int(nik[6:8])
        assert 41 <= day <= 68 if row["owner_gender"] == "female" else 1 <= day <= 28
        assert villages[row["kelurahan_id"]] == row["kecamatan_id"]
        assert row["name_key"] == name_key(row["name"])
        workers = int(row["workers_total"])
        assert workers == sum(
            int(row[c]) for c in ("workers_male", "workers_female", "workers_unspecified")
        )
        money = {
            c: None if row[c] is None else int(row[c])
            for c in ("investment_idr", "modal_usaha_idr", "annual_turnover_idr")
        }
        size = size_class(workers=workers, investment_idr=money["investment_idr"])
        umkm = umkm_class(
            modal_usaha_idr=money["modal_usaha_idr"],
            annual_turnover_idr=money["annual_turnover_idr"],
        )
        assert (row["size_class"], row["size_class_rule"]) == (size.value, size.rule)
        assert (row["umkm_class"], row["umkm_class_rule"]) == (umkm.value, umkm.rule)
        if row["status"] == "draft":
            assert row["submitted_at"] is None
        else:
            assert row["created_at"] < row["submitted_at"] <= row["status_changed_at"]
        if row["status"] in ("verified", "archived"):
            assert row["submitted_at"] < row["verified_at"] <= row["status_changed_at"]
    assert len(niks) == len(rows)
    statuses = {row["status"] for row in rows}
    assert statuses == {"verified", "submitted", "needs_revision", "draft", "rejected", "archived"}
    decided = {row["object_id"] for row in parse_copy(chunk.activity, ACTIVITY_COLUMNS)}
    assert decided == {row["id"] for row in rows if row["status"] != "draft"}
    products = parse_copy(chunk.products, PRODUCT_COLUMNS)
    by_id = {row["id"]: row for row in rows}
    for product in products:
        assert product["name"] in by_id[product["enterprise_id"]]["product_names"].split(" | ")
        assert ref.kbli[product["kbli_code"]] == int(product["kbli_id"])


def test_seed_applications_writes_applications_in_review_with_three_tracks(ref):
    from training.seeding import seed_applications

    seed_enterprises(count=80, seed=2, chunk=50, workers=1)
    made = seed_applications(count=12, seed=4)
    apps = Application.objects.filter(program_id=made["program_id"])
    assert made["applications"] == apps.count() == 12
    assert set(apps.values_list("enterprise__status", flat=True)) == {"verified"}
    for app in apps.prefetch_related("track_choices"):
        assert app.status == "in_review"
        assert app.consent_share_with_partner is True
        assert app.eligibility == []
        assert app.consent_at < app.submitted_at < app.status_changed_at
        choices = sorted((c.preference, c.track_id) for c in app.track_choices.all())
        assert [p for p, _t in choices] == [1, 2, 3]
        assert len({t for _p, t in choices}) == 3
    again = seed_applications(count=12, seed=4)
    assert sorted(apps.values_list("enterprise_id", flat=True)) == sorted(
        Application.objects.filter(program_id=again["program_id"]).values_list(
            "enterprise_id", flat=True
        )
    )


INDEXES_SQL = """
    SELECT i.relname, x.indisunique, x.indkey::text, x.indpred IS NOT NULL, x.indisvalid
    FROM pg_index x
    JOIN pg_class i ON i.oid = x.indexrelid
    JOIN pg_class t ON t.oid = x.indrelid
    WHERE t.relname = ANY(%s)
    ORDER BY 1
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_committed_seed_rebuilds_every_index_over_two_connections():
    """Outside a transaction the rows are committed before the plain indexes are rebuilt in
    parallel: afterwards every index is back as it was, valid, and the tables vacuumed."""
    from django.db import connection

    from registry.seeding import TABLES

    call_command("load_demo", reference_only=True)
    tables = [table for table, _columns in TABLES.values()]
    with connection.cursor() as cursor:
        cursor.execute(INDEXES_SQL, [tables])
        before = cursor.fetchall()
    done = seed_enterprises(count=150, seed=6, chunk=60, workers=2)
    with connection.cursor() as cursor:
        cursor.execute(INDEXES_SQL, [tables])
        after = cursor.fetchall()
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s) "
            "AND last_vacuum IS NOT NULL",
            [tables],
        )
        vacuumed = {name for (name,) in cursor.fetchall()}
    # (A partial index's condition may read differently once rebuilt: the same condition.)
    assert after == before
    assert all(row[-1] for row in after)
    assert vacuumed == set(tables)
    assert done.enterprises == Enterprise.objects.count() == 150
    # The identity goes on after the seeded ids.
    assert Enterprise.objects.create(name="Baru").pk == done.first_id + 150
