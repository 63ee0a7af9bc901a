import pytest

from ikm_portal.core.exceptions import Conflict
from registry import services
from registry.choices import DuplicateFlagStatus, EnterpriseStatus
from registry.errors import DuplicateRefused
from registry.models import Document, DuplicateFlag, Enterprise, FacilitationRecord, FieldChange
from tests.factories import EnterpriseFactory, VerifiedEnterpriseFactory
from tests.factories.registry import region

pytestmark = pytest.mark.django_db

BASE = {
    "owner_name": "Siti Aminah",
    "owner_nik": "3573054512850001",
    "owner_gender": "female",
    "phone": "+6281234567890",
    "name": "Keripik Tempe Sanan Jaya",
}


def test_same_nib_on_an_active_record_is_refused_with_its_status_only(owner):
    VerifiedEnterpriseFactory(nib="9120001234567", owner_name="Rahasia Orang Lain")
    with pytest.raises(DuplicateRefused) as exc:
        services.enterprise_create(actor=owner, owner=owner, data={**BASE, "nib": "9120001234567"})
    message = str(exc.value.message)
    assert "Terverifikasi" in message or "Verified" in message
    assert "Rahasia" not in message
    assert list(exc.value.field_errors) == ["nib"]
    assert Enterprise.objects.count() == 1


def test_same_nik_and_same_name_is_refused(owner):
    EnterpriseFactory(
        owner_nik=BASE["owner_nik"], name="UD. Keripik Tempe  Sanan Jaya", submitted=True
    )
    with pytest.raises(DuplicateRefused) as exc:
        services.enterprise_create(actor=owner, owner=owner, data=BASE)
    assert list(exc.value.field_errors) == ["name"]


def test_same_nik_with_another_business_is_allowed_and_flagged(owner, staff):
    other = EnterpriseFactory(owner_nik=BASE["owner_nik"], name="Batik Tulis Ratna", submitted=True)
    mine = EnterpriseFactory(owner=owner, owner_nik=BASE["owner_nik"], name="Keripik Apel Ratna")
    services.enterprise_submit(enterprise=mine, actor=owner)
    flag = DuplicateFlag.objects.get()
    assert (flag.kind, {flag.enterprise_id, flag.other_id}) == ("same_nik", {other.pk, mine.pk})


def test_archived_or_rejected_records_do_not_block(owner):
    EnterpriseFactory(nib="9120001234567", status=EnterpriseStatus.ARCHIVED)
    EnterpriseFactory(nib="9120001234568", status=EnterpriseStatus.REJECTED)
    services.enterprise_create(actor=owner, owner=owner, data={**BASE, "nib": "9120001234567"})
    services.enterprise_create(
        actor=owner, owner=owner, data={**BASE, "nib": "9120001234568", "name": "Lain"}
    )
    assert Enterprise.objects.count() == 4


def test_api_refusal_is_409_with_the_field(owner, api_as):
    VerifiedEnterpriseFactory(nib="9120001234567")
    response = api_as(owner).post(
        "/api/v1/enterprises/", {**BASE, "nib": "9120001234567"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate"
    assert "nib" in response.json()


def test_similar_name_in_the_same_kelurahan_is_flagged_not_refused(staff):
    existing = VerifiedEnterpriseFactory(name="Keripik Tempe Sanan")
    new = EnterpriseFactory(name="Keripik Tempe Sanan Jaya")
    services.enterprise_submit(enterprise=new, actor=new.owner)
    flag = DuplicateFlag.objects.get(kind="similar_name")
    assert {flag.enterprise_id, flag.other_id} == {existing.pk, new.pk}
    assert flag.score >= 0.6


def test_similar_name_in_another_kelurahan_is_not_flagged():
    VerifiedEnterpriseFactory(name="Keripik Tempe Sanan")
    new = EnterpriseFactory(name="Keripik Tempe Sanan Jaya", kelurahan=region("35.73.01.1007"))
    services.enterprise_submit(enterprise=new, actor=new.owner)
    assert DuplicateFlag.objects.filter(kind="similar_name").count() == 0


def test_different_name_is_not_flagged():
    VerifiedEnterpriseFactory(name="Mebel Jati Makmur")
    new = EnterpriseFactory(name="Keramik Dinoyo Indah")
    services.enterprise_submit(enterprise=new, actor=new.owner)
    assert DuplicateFlag.objects.count() == 0


def test_same_phone_is_flagged():
    existing = VerifiedEnterpriseFactory(phone="+6281234567890", name="Sari Apel")
    new = EnterpriseFactory(phone="+6281234567890", name="Mebel Rotan")
    services.enterprise_submit(enterprise=new, actor=new.owner)
    assert list(DuplicateFlag.objects.values_list("kind", "enterprise_id", "other_id")) == [
        ("same_phone", existing.pk, new.pk)
    ]


def test_drafts_are_not_compared():
    EnterpriseFactory(name="Keripik Tempe Sanan")  # a draft
    new = EnterpriseFactory(name="Keripik Tempe Sanan Jaya")
    services.enterprise_submit(enterprise=new, actor=new.owner)
    assert DuplicateFlag.objects.count() == 0


def test_not_a_duplicate_stays_judged(staff):
    existing = VerifiedEnterpriseFactory(phone="+6281234567890")
    new = EnterpriseFactory(phone="+6281234567890", name="Lain Sekali")
    services.enterprise_submit(enterprise=new, actor=new.owner)
    flag = DuplicateFlag.objects.get()
    services.duplicate_flag_dismiss(flag=flag, actor=staff)
    assert services.duplicates_flag(new) == 0
    flag.refresh_from_db()
    assert (flag.status, flag.resolved_by) == (DuplicateFlagStatus.NOT_DUPLICATE, staff)
    assert existing.pk in (flag.enterprise_id, flag.other_id)


def test_duplicates_endpoint_lists_flags_for_staff(staff, api_as):
    existing = VerifiedEnterpriseFactory(phone="+6281234567890")
    new = EnterpriseFactory(phone="+6281234567890", name="Lain Sekali")
    services.enterprise_submit(enterprise=new, actor=new.owner)
    data = api_as(staff).get(f"/api/v1/enterprises/{new.pk}/duplicates/").json()
    assert [(d["kind"], d["other"]["id"], d["status"]) for d in data] == [
        ("same_phone", existing.pk, "open")
    ]
    flag_id = data[0]["id"]
    response = api_as(staff).post(
        f"/api/v1/enterprises/{new.pk}/duplicates/{flag_id}/not-duplicate/"
    )
    assert response.json()["status"] == "not_duplicate"


def test_merge_archives_the_duplicate_keeps_histories_and_moves_records(staff, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.base import ContentFile

    keep = VerifiedEnterpriseFactory(nib="", brand="")
    drop = EnterpriseFactory(submitted=True, nib="9120001234567", brand="Merek Lama", owner=None)
    services.duplicates_flag(drop)
    FacilitationRecord.objects.create(enterprise=drop, kind="halal", date="2026-01-02")
    document = Document(enterprise=drop, kind="nib", original_name="nib.pdf")
    document.file.save("nib.pdf", ContentFile(b"%PDF-1.4"), save=True)
    drop_history = FieldChange.objects.filter(enterprise=drop).count()

    services.enterprise_merge(keep=keep, drop=drop, actor=staff)

    keep.refresh_from_db()
    drop.refresh_from_db()
    assert (drop.status, drop.merged_into_id) == ("archived", keep.pk)
    assert (keep.nib, keep.brand) == ("9120001234567", "Merek Lama")
    assert keep.facilitations.count() == 1
    assert keep.documents.count() == 1
    assert FieldChange.objects.filter(enterprise=drop).count() > drop_history
    assert FieldChange.objects.filter(enterprise=keep, field="merged_from").exists()
    assert FieldChange.objects.filter(enterprise=keep, field="nib", source="merge").exists()


def test_merge_refuses_archived_or_self(staff):
    a = VerifiedEnterpriseFactory()
    b = EnterpriseFactory(status=EnterpriseStatus.ARCHIVED)
    with pytest.raises(Conflict):
        services.enterprise_merge(keep=a, drop=b, actor=staff)
    from ikm_portal.core.exceptions import ApplicationError

    with pytest.raises(ApplicationError):
        services.enterprise_merge(keep=a, drop=a, actor=staff)


def test_merge_through_the_api(staff, api_as):
    keep = VerifiedEnterpriseFactory()
    drop = EnterpriseFactory(submitted=True)
    response = api_as(staff).post(f"/api/v1/enterprises/{keep.pk}/merge/", {"drop": drop.pk})
    assert response.status_code == 200
    assert Enterprise.objects.get(pk=drop.pk).merged_into_id == keep.pk


@pytest.mark.postgres
def test_trigram_similarity_uses_pg_trgm(is_postgres):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT similarity('keripik tempe sanan', 'keripik tempe sanan jaya')")
        pg = cursor.fetchone()[0]
    from registry.services.duplicates import trigram_similarity

    assert round(pg, 2) == round(
        trigram_similarity("keripik tempe sanan", "keripik tempe sanan jaya"), 2
    )
