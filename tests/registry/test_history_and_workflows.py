"""History written by every write path; change requests; claims; facilitation; documents."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from ikm_portal.core.exceptions import ApplicationError, Conflict, InvalidTransition
from ikm_portal.notifications.models import Notification
from registry import services
from registry.choices import ChangeRequestStatus, ClaimStatus
from registry.models import ChangeRequest, Enterprise, FieldChange
from registry.services.records import document_add, facilitation_create, facilitation_update
from tests.factories import EnterpriseFactory, VerifiedEnterpriseFactory
from tests.factories.registry import region

pytestmark = pytest.mark.django_db


def _sources(enterprise, field):
    return list(
        FieldChange.objects.filter(enterprise=enterprise, field=field).values_list(
            "source", "old_value", "new_value"
        )
    )


def test_history_from_a_page(owner, client_as):
    enterprise = EnterpriseFactory(owner=owner, brand="Lama")
    client_as(owner).post(
        f"/registry/business/{enterprise.pk}/step/business/",
        {"name": enterprise.name, "brand": "Baru", "legal_form": "ud", "year_established": "2015"},
    )
    assert _sources(enterprise, "brand") == [("page", "Lama", "Baru")]


def test_history_from_the_api(owner, api_as):
    enterprise = EnterpriseFactory(owner=owner, brand="Lama")
    api_as(owner).patch(f"/api/v1/enterprises/{enterprise.pk}/", {"brand": "Baru"}, format="json")
    change = FieldChange.objects.get(enterprise=enterprise, field="brand")
    assert (change.source, change.old_value, change.new_value, change.actor) == (
        "api",
        "Lama",
        "Baru",
        owner,
    )


def test_history_from_a_change_request(staff):
    enterprise = VerifiedEnterpriseFactory(brand="Lama")
    request = services.change_request_create(
        enterprise=enterprise, actor=enterprise.owner, data={"brand": "Baru"}
    )
    services.change_request_transition(change_request=request, to_status="approved", actor=staff)
    assert _sources(enterprise, "brand") == [("change_request", "Lama", "Baru")]


def test_history_from_the_admin_site(office_admin, client_as):
    enterprise = EnterpriseFactory(brand="Lama")
    client = client_as(office_admin)
    page = client.get(f"/admin/registry/enterprise/{enterprise.pk}/change/")
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            value = ""
        data[name] = value.pk if hasattr(value, "pk") else value
    data.update({"brand": "Baru"})
    for prefix in ("products", "certifications"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    # Keep the one product the factory made.
    product = enterprise.products.get()
    data.update(
        {
            "products-TOTAL_FORMS": "1",
            "products-INITIAL_FORMS": "1",
            "products-0-id": product.pk,
            "products-0-enterprise": enterprise.pk,
            "products-0-kbli": product.kbli_id,
            "products-0-name": product.name,
            "products-0-capacity_per_year": "1200",
            "products-0-capacity_unit": "kg",
            "products-0-raw_materials": product.raw_materials,
            "products-0-marketing_reach": "regional",
            "products-0-position": "0",
        }
    )
    response = client.post(f"/admin/registry/enterprise/{enterprise.pk}/change/", data)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else ""
    )
    assert _sources(enterprise, "brand") == [("admin", "Lama", "Baru")]


def test_history_from_a_merge(staff):
    keep = VerifiedEnterpriseFactory(brand="")
    drop = EnterpriseFactory(submitted=True, brand="Merek")
    services.enterprise_merge(keep=keep, drop=drop, actor=staff)
    assert _sources(keep, "brand") == [("merge", "", "Merek")]
    assert _sources(drop, "status") == [("merge", "submitted", "archived")]


def test_history_keeps_the_nik_only_masked(staff, owner):
    from registry.selectors import history_for

    enterprise = EnterpriseFactory(owner=owner, owner_nik="3573054512850001")
    services.enterprise_update(
        enterprise=enterprise, actor=owner, data={"owner_nik": "3573054512850002"}
    )
    staff_rows = [
        r for r in history_for(enterprise=enterprise, user=staff) if r.field == "owner_nik"
    ]
    assert (staff_rows[0].old_value, staff_rows[0].new_value) == (
        "************0001",
        "************0002",
    )
    stored = FieldChange.objects.get(enterprise=enterprise, field="owner_nik")
    assert (stored.old_value, stored.new_value) == ("************0001", "************0002")


def test_derived_classes_are_recomputed_on_every_change(owner):
    enterprise = EnterpriseFactory(
        owner=owner, workers_male=19, workers_female=0, investment_idr=999_999_999
    )
    assert enterprise.size_class == "kecil"
    services.enterprise_update(
        enterprise=enterprise, actor=owner, data={"investment_idr": 1_000_000_000}
    )
    enterprise.refresh_from_db()
    assert (enterprise.size_class, enterprise.size_class_rule) == (
        "menengah",
        "Permenperin 64/2016: ≤ 19 tenaga kerja dan investasi ≥ Rp 1.000.000.000",
    )
    services.enterprise_update(
        enterprise=enterprise,
        actor=owner,
        data={"workers_female": 1, "investment_idr": 15_000_000_001},
    )
    enterprise.refresh_from_db()
    assert (enterprise.workers_total, enterprise.size_class) == (20, "besar")
    services.enterprise_update(
        enterprise=enterprise, actor=owner, data={"kelurahan": region("35.73.01.1007")}
    )
    enterprise.refresh_from_db()
    assert enterprise.kecamatan_id == "35.73.01"


def test_kelurahan_outside_the_region_is_refused(owner):
    from registry.models import Region

    outside = Region.objects.create(code="35.07.08.2001", name="Desa Lain", level="desa")
    with pytest.raises(ApplicationError) as exc:
        services.enterprise_create(
            actor=owner, owner=owner, data={"name": "X", "kelurahan": outside}
        )
    assert list(exc.value.field_errors) == ["kelurahan"]


def test_kecamatan_is_not_a_kelurahan(owner, api_as):
    region("35.73.05")
    response = api_as(owner).post(
        "/api/v1/enterprises/", {"name": "X", "kelurahan": "35.73.05"}, format="json"
    )
    assert response.status_code == 400
    assert "kelurahan" in response.json()


# --- change requests ---


def test_change_request_keeps_verified_data_until_approved(staff):
    enterprise = VerifiedEnterpriseFactory(address="Jl. Lama 1")
    request = services.change_request_create(
        enterprise=enterprise,
        actor=enterprise.owner,
        data={"address": "Jl. Baru 2", "brand": enterprise.brand},
    )
    assert request.data == {"address": "Jl. Baru 2"}
    assert Enterprise.objects.get(pk=enterprise.pk).address == "Jl. Lama 1"
    services.change_request_transition(change_request=request, to_status="approved", actor=staff)
    assert Enterprise.objects.get(pk=enterprise.pk).address == "Jl. Baru 2"
    assert Notification.objects.filter(template="enterprise_change_approved").count() == 2


def test_change_request_refusal_needs_a_reason_and_notifies(staff):
    enterprise = VerifiedEnterpriseFactory()
    request = services.change_request_create(
        enterprise=enterprise, actor=enterprise.owner, data={"brand": "Baru"}
    )
    with pytest.raises(ApplicationError):
        services.change_request_transition(change_request=request, to_status="refused", actor=staff)
    services.change_request_transition(
        change_request=request, to_status="refused", actor=staff, reason="Tidak sesuai"
    )
    assert ChangeRequest.objects.get().status == ChangeRequestStatus.REFUSED
    assert Notification.objects.filter(template="enterprise_change_refused").exists()


@pytest.mark.parametrize("status", ["draft", "submitted", "needs_revision"])
def test_change_request_only_for_verified(status):
    enterprise = EnterpriseFactory(status=status)
    with pytest.raises(Conflict):
        services.change_request_create(
            enterprise=enterprise, actor=enterprise.owner, data={"brand": "X"}
        )


def test_one_pending_change_request_at_a_time():
    enterprise = VerifiedEnterpriseFactory()
    services.change_request_create(
        enterprise=enterprise, actor=enterprise.owner, data={"brand": "A"}
    )
    with pytest.raises(Conflict):
        services.change_request_create(
            enterprise=enterprise, actor=enterprise.owner, data={"brand": "B"}
        )


def test_change_request_owner_may_withdraw_not_approve(staff):
    enterprise = VerifiedEnterpriseFactory()
    request = services.change_request_create(
        enterprise=enterprise, actor=enterprise.owner, data={"brand": "A"}
    )
    with pytest.raises(PermissionDenied):
        services.change_request_transition(
            change_request=request, to_status="approved", actor=enterprise.owner
        )
    services.change_request_transition(
        change_request=request, to_status="withdrawn", actor=enterprise.owner
    )
    with pytest.raises(InvalidTransition):
        services.change_request_transition(
            change_request=request, to_status="approved", actor=staff
        )


def test_change_request_pages(staff, client_as):
    from registry.models import Kbli

    enterprise = VerifiedEnterpriseFactory(address="Jl. Lama 1")
    owner_client = client_as(enterprise.owner)
    page = owner_client.get(f"/registry/business/{enterprise.pk}/change/")
    assert page.status_code == 200
    product = enterprise.products.get()
    data = {
        "owner-owner_name": enterprise.owner_name,
        "owner-owner_nik": enterprise.owner_nik,
        "owner-owner_gender": "male",
        "owner-phone": enterprise.phone,
        "owner-email": enterprise.email,
        "business-name": enterprise.name,
        "business-brand": enterprise.brand,
        "business-nib": enterprise.nib,
        "business-legal_form": "ud",
        "business-year_established": "2015",
        "location-address": "Jl. Baru 9",
        "location-rt_rw": "001/002",
        "location-postal_code": "65144",
        "location-kecamatan": "35.73.05",
        "location-kelurahan": "35.73.05.1004",
        "workforce-workers_male": "3",
        "workforce-workers_female": "2",
        "workforce-investment_idr": "50.000.000",
        "workforce-annual_turnover_idr": "300.000.000",
        "products-TOTAL_FORMS": "1",
        "products-INITIAL_FORMS": "1",
        "products-MIN_NUM_FORMS": "1",
        "products-MAX_NUM_FORMS": "30",
        "products-0-kbli": str(Kbli.objects.get(code="10391").pk),
        "products-0-name": product.name,
        "products-0-capacity_per_year": "1200",
        "products-0-capacity_unit": "kg",
        "products-0-raw_materials": product.raw_materials,
        "products-0-marketing_reach": "regional",
        "cr-reason": "Pindah alamat",
    }
    response = owner_client.post(f"/registry/business/{enterprise.pk}/change/", data)
    assert response.status_code == 302
    request = ChangeRequest.objects.get()
    assert (request.data, request.note) == ({"address": "Jl. Baru 9"}, "Pindah alamat")
    office = client_as(staff)
    assert office.get("/registry/change-requests/").status_code == 200
    assert office.get(f"/registry/change-requests/{request.pk}/").status_code == 200
    office.post(f"/registry/change-requests/{request.pk}/", {"action": "approve", "reason": ""})
    assert Enterprise.objects.get(pk=enterprise.pk).address == "Jl. Baru 9"


# --- claims ---


def test_claim_by_nib_confirmed_by_staff(owner, staff):
    walk_in = VerifiedEnterpriseFactory(owner=None, nib="9120001234567", phone=owner.phone)
    claim = services.claim_create(user=owner, nib="9120001234567")
    assert (claim.phone_match, claim.email_match) == (True, False)
    services.claim_transition(claim=claim, to_status=ClaimStatus.APPROVED, actor=staff)
    walk_in.refresh_from_db()
    assert walk_in.owner == owner
    assert _sources(walk_in, "owner") == [("page", "", owner.email)]


def test_claim_by_phone_and_name(owner):
    VerifiedEnterpriseFactory(owner=None, phone="+6281234567890", name="Keripik Sanan")
    claim = services.claim_create(user=owner, phone="+6281234567890", name="keripik  sanan")
    assert claim.status == "pending"


def test_claim_of_an_owned_business_is_refused(owner, other_owner):
    VerifiedEnterpriseFactory(owner=other_owner, nib="9120001234567")
    with pytest.raises(ApplicationError):
        services.claim_create(user=owner, nib="9120001234567")


def test_claim_decision_is_staff_only(owner):
    VerifiedEnterpriseFactory(owner=None, nib="9120001234567")
    claim = services.claim_create(user=owner, nib="9120001234567")
    with pytest.raises(PermissionDenied):
        services.claim_transition(claim=claim, to_status="approved", actor=owner)


def test_claim_pages(owner, staff, client_as):
    VerifiedEnterpriseFactory(owner=None, nib="9120001234567")
    response = client_as(owner).post("/registry/claim/", {"nib": "9120001234567"})
    assert response.status_code == 302
    from registry.models import EnterpriseClaim

    claim = EnterpriseClaim.objects.get()
    office = client_as(staff)
    assert office.get("/registry/claims/").status_code == 200
    office.post(f"/registry/claims/{claim.pk}/decide/", {"action": "approve"})
    assert EnterpriseClaim.objects.get().status == "approved"


# --- facilitation and documents ---


def test_facilitation_records_are_staff_only_and_in_history(staff, owner):
    enterprise = VerifiedEnterpriseFactory(owner=owner)
    with pytest.raises(PermissionDenied):
        facilitation_create(
            enterprise=enterprise,
            actor=owner,
            kind="halal",
            date=datetime.date(2026, 1, 1),
            status="proses",
        )
    record = facilitation_create(
        enterprise=enterprise,
        actor=staff,
        kind="halal",
        date=datetime.date(2026, 1, 1),
        status="proses",
    )
    facilitation_update(record=record, actor=staff, data={"status": "selesai"})
    assert [c[2] for c in _sources(enterprise, "facilitation")] == [
        "halal 2026-01-01 selesai",
        "halal 2026-01-01 proses",
    ]


def test_facilitation_page(staff, client_as):
    enterprise = VerifiedEnterpriseFactory()
    client = client_as(staff)
    client.post(
        f"/registry/business/{enterprise.pk}/facilitation/",
        {"kind": "nib", "date": "2026-02-01", "status": "proses", "note": ""},
    )
    record = enterprise.facilitations.get()
    assert client.get(f"/registry/facilitation/{record.pk}/").status_code == 200


def test_document_upload_checks_type_and_size(owner, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    enterprise = EnterpriseFactory(owner=owner)
    document = document_add(
        enterprise=enterprise,
        actor=owner,
        kind="nib",
        upload=SimpleUploadedFile("nib.pdf", b"%PDF-1.4 x\n%%EOF\n"),
    )
    assert document.content_type == "application/pdf"
    with pytest.raises(ApplicationError):
        document_add(
            enterprise=enterprise,
            actor=owner,
            kind="nib",
            upload=SimpleUploadedFile("x.exe", b"MZ"),
        )
    with pytest.raises(ApplicationError):
        document_add(
            enterprise=enterprise,
            actor=owner,
            kind="nib",
            upload=SimpleUploadedFile("x.pdf", b"not a pdf"),
        )
    with pytest.raises(ApplicationError):
        document_add(
            enterprise=enterprise,
            actor=owner,
            kind="nib",
            upload=SimpleUploadedFile("x.pdf", b"%PDF" + b"0" * (5 * 1024 * 1024)),
        )


def test_document_download_is_scoped(owner, other_owner, staff, client_as, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    enterprise = EnterpriseFactory(owner=owner)
    document = document_add(
        enterprise=enterprise,
        actor=owner,
        kind="nib",
        upload=SimpleUploadedFile("nib.pdf", b"%PDF-1.4 x\n%%EOF\n"),
    )
    url = f"/registry/documents/{document.pk}/"
    assert client_as(owner).get(url).status_code == 200
    assert client_as(staff).get(url).status_code == 200
    assert client_as(other_owner).get(url).status_code == 404


def test_sentra_list_is_kept_by_staff(staff, owner, client_as):
    from registry.models import Sentra

    office = client_as(staff)
    response = office.post(
        "/registry/sentra/new/", {"name": "Sentra Keramik Dinoyo", "active": "on"}
    )
    assert response.status_code == 302
    sentra = Sentra.objects.get()
    office.post(
        f"/registry/sentra/{sentra.pk}/",
        {"name": "Sentra Keramik Dinoyo", "description": "Sejak 1957"},
    )
    sentra.refresh_from_db()
    assert (sentra.description, sentra.active) == ("Sejak 1957", False)
    assert client_as(owner).post("/registry/sentra/new/", {"name": "X"}).status_code == 403
