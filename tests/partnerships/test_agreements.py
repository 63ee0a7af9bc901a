from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ikm_portal.core.exceptions import ApplicationError, InvalidTransition
from ikm_portal.core.models import ActivityLog
from partnerships import services
from partnerships.choices import AGREEMENT_TRANSITIONS, AgreementStatus
from partnerships.demo import minimal_pdf
from partnerships.models import Agreement
from tests.factories import AgreementFactory, PartnerFactory

pytestmark = pytest.mark.django_db

ALL = AgreementStatus.values


def pdf(name="perjanjian.pdf", size=None):
    content = minimal_pdf("Perjanjian")
    if size is not None:
        content = content[:-6] + b"0" * (size - len(content)) + b"%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.mark.parametrize(("source", "target"), [(s, t) for s in ALL for t in ALL if s != t])
def test_agreement_transition_follows_the_table(source, target, staff):
    today = timezone.localdate()
    # Dates that make every allowed move possible: expired ones ended yesterday and are renewed.
    valid_to = (
        today - timedelta(days=1)
        if target == AgreementStatus.EXPIRED
        else today + timedelta(days=90)
    )
    agreement = AgreementFactory(
        status=source, valid_from=today - timedelta(days=200), valid_to=valid_to
    )
    allowed = target in AGREEMENT_TRANSITIONS[source]
    if allowed:
        services.agreement_transition(agreement=agreement, to=target, actor=staff, reason="Alasan")
        agreement.refresh_from_db()
        assert agreement.status == target
        log = ActivityLog.objects.get(action="agreement.status", object_id=str(agreement.pk))
        assert (log.from_state, log.to_state, log.actor_id) == (source, target, staff.pk)
    else:
        with pytest.raises(InvalidTransition):
            services.agreement_transition(agreement=agreement, to=target, actor=staff, reason="x")
        agreement.refresh_from_db()
        assert agreement.status == source


def test_agreement_transition_same_status_is_a_noop(staff):
    agreement = AgreementFactory(status=AgreementStatus.ACTIVE)
    services.agreement_transition(agreement=agreement, to=AgreementStatus.ACTIVE, actor=staff)
    assert ActivityLog.objects.filter(action="agreement.status").count() == 0


def test_agreement_activate_without_document_is_refused(staff):
    agreement = AgreementFactory(status=AgreementStatus.DRAFT, document="")
    with pytest.raises(InvalidTransition) as info:
        services.agreement_transition(agreement=agreement, to=AgreementStatus.ACTIVE, actor=staff)
    assert "document" in info.value.field_errors


def test_agreement_terminate_without_reason_is_refused(staff):
    agreement = AgreementFactory(status=AgreementStatus.ACTIVE)
    with pytest.raises(ApplicationError) as info:
        services.agreement_transition(
            agreement=agreement, to=AgreementStatus.TERMINATED, actor=staff
        )
    assert list(info.value.field_errors) == ["reason"]


def test_agreements_expire_due_expires_only_past_end_date():
    today = timezone.localdate()
    past = AgreementFactory(
        valid_from=today - timedelta(days=400), valid_to=today - timedelta(days=1)
    )
    current = AgreementFactory(valid_to=today)
    assert services.agreements_expire_due() == 1
    past.refresh_from_db()
    current.refresh_from_db()
    assert (past.status, current.status) == (AgreementStatus.EXPIRED, AgreementStatus.ACTIVE)


def test_agreements_remind_expiring_reminds_once_within_30_days(staff, office_admin):
    today = timezone.localdate()
    soon = AgreementFactory(valid_to=today + timedelta(days=30))
    AgreementFactory(valid_to=today + timedelta(days=31))
    AgreementFactory(valid_to=today + timedelta(days=10), status=AgreementStatus.DRAFT)
    assert services.agreements_remind_expiring() == 1
    assert services.agreements_remind_expiring() == 0
    soon.refresh_from_db()
    assert soon.reminder_sent_at is not None
    assert ActivityLog.objects.filter(action="agreement.expiry_reminder").count() == 1


def test_agreement_update_new_end_date_rearms_reminder(staff):
    agreement = AgreementFactory(reminder_sent_at=timezone.now())
    services.agreement_update(
        agreement=agreement,
        actor=staff,
        data={"valid_to": agreement.valid_to + timedelta(days=365)},
    )
    agreement.refresh_from_db()
    assert agreement.reminder_sent_at is None


def test_agreements_daily_task_runs_twice_reminds_once():
    from partnerships.tasks import agreements_daily

    AgreementFactory(valid_to=timezone.localdate() + timedelta(days=5))
    assert agreements_daily.delay().get() == {"expired": 0, "reminded": 1}
    assert agreements_daily.delay().get() == {"expired": 0, "reminded": 0}


def test_beat_schedule_runs_the_daily_agreement_task(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "partnerships.agreements_daily" in tasks


# --- API ---------------------------------------------------------------------------------------


def _payload(partner, **extra):
    today = timezone.localdate()
    return {
        "partner": partner.pk,
        "number": "PKS/001/2026",
        "title": "Kerjasama Kemitraan",
        "scope": "Pelatihan",
        "signed_on": today.isoformat(),
        "valid_from": today.isoformat(),
        "valid_to": (today + timedelta(days=365)).isoformat(),
        **extra,
    }


def test_api_agreement_create_with_pdf_stores_it_outside_static(api_as, staff, settings):
    partner = PartnerFactory()
    response = api_as(staff).post(
        "/api/v1/agreements/", _payload(partner, document=pdf()), format="multipart"
    )
    assert response.status_code == 201, response.data
    agreement = Agreement.objects.get()
    assert agreement.status == AgreementStatus.DRAFT
    assert agreement.document.name.startswith("private/agreements/")
    assert str(settings.MEDIA_ROOT) in agreement.document.path
    assert "static" not in agreement.document.path.split("media")[-1]
    assert response.data["document"].endswith(f"/api/v1/agreements/{agreement.pk}/document/")


def test_api_agreement_document_not_pdf_is_400(api_as, staff):
    partner = PartnerFactory()
    fake = SimpleUploadedFile("perjanjian.pdf", b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    response = api_as(staff).post(
        "/api/v1/agreements/", _payload(partner, document=fake), format="multipart"
    )
    assert response.status_code == 400
    assert "document" in response.data
    assert Agreement.objects.count() == 0


def test_api_agreement_document_over_10_mb_is_400(api_as, staff):
    partner = PartnerFactory()
    response = api_as(staff).post(
        "/api/v1/agreements/",
        _payload(partner, document=pdf(size=10 * 1024 * 1024 + 1)),
        format="multipart",
    )
    assert response.status_code == 400
    assert "10" in response.data["document"][0]


def test_api_agreement_document_of_exactly_10_mb_is_accepted(api_as, staff):
    partner = PartnerFactory()
    response = api_as(staff).post(
        "/api/v1/agreements/",
        _payload(partner, document=pdf(size=10 * 1024 * 1024)),
        format="multipart",
    )
    assert response.status_code == 201


def test_api_agreement_end_before_start_is_400(api_as, staff):
    partner = PartnerFactory()
    today = timezone.localdate()
    response = api_as(staff).post(
        "/api/v1/agreements/",
        _payload(partner, valid_to=(today - timedelta(days=1)).isoformat()),
        format="json",
    )
    assert response.status_code == 400
    assert list(response.data) == ["valid_to"]


def test_api_agreement_duplicate_number_is_409(api_as, staff):
    existing = AgreementFactory()
    response = api_as(staff).post(
        "/api/v1/agreements/", _payload(existing.partner, number=existing.number), format="json"
    )
    assert response.status_code == 409
    assert "number" in response.data


def test_api_agreement_activate_and_terminate(api_as, staff):
    agreement = AgreementFactory(status=AgreementStatus.DRAFT)
    client = api_as(staff)
    response = client.post(f"/api/v1/agreements/{agreement.pk}/activate/")
    assert (response.status_code, response.data["status"]) == (200, "active")
    response = client.post(f"/api/v1/agreements/{agreement.pk}/terminate/", {}, format="json")
    assert response.status_code == 400
    response = client.post(
        f"/api/v1/agreements/{agreement.pk}/terminate/", {"reason": "Mitra mundur"}, format="json"
    )
    assert (response.status_code, response.data["status"]) == (200, "terminated")
    response = client.post(f"/api/v1/agreements/{agreement.pk}/activate/")
    assert response.status_code == 409


@pytest.mark.parametrize(
    ("who", "list_count", "detail", "document", "write"),
    [
        ("anonymous", None, 401, 401, 401),
        ("owner", 0, 404, 404, 403),
        ("staff", 2, 200, 200, 200),
        ("own_member", 1, 200, 200, 403),
        ("other_member", 1, 404, 404, 403),
    ],
)
def test_api_agreements_visibility(
    api_as, owner, staff, manager_member, other_member, who, list_count, detail, document, write
):
    mine = AgreementFactory(partner=manager_member.partner)
    AgreementFactory(partner=other_member.partner, number="PKS/LAIN/1")
    user = {
        "anonymous": None,
        "owner": owner,
        "staff": staff,
        "own_member": manager_member.user,
        "other_member": other_member.user,
    }[who]
    client = api_as(user)
    response = client.get("/api/v1/agreements/")
    if list_count is None:
        assert response.status_code == 401
    else:
        assert (response.status_code, response.data["count"]) == (200, list_count)
    assert client.get(f"/api/v1/agreements/{mine.pk}/").status_code == detail
    response = client.get(f"/api/v1/agreements/{mine.pk}/document/")
    assert response.status_code == document
    if document == 200:
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
        assert response["Content-Type"] == "application/pdf"
    response = client.patch(f"/api/v1/agreements/{mine.pk}/", {"title": "Baru"}, format="json")
    assert response.status_code == write


def test_api_agreement_list_query_count_same_for_1_and_20(api_as, staff):
    client = api_as(staff)
    AgreementFactory()
    client.get("/api/v1/agreements/")  # warm the user's role cache
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/agreements/").status_code == 200
    for _ in range(19):
        AgreementFactory()
    with CaptureQueriesContext(connection) as twenty:
        response = client.get("/api/v1/agreements/")
    assert response.data["count"] == 20
    assert len(one) == len(twenty)


# --- Pages -------------------------------------------------------------------------------------


def test_page_agreement_create_with_pdf(client_as, staff):
    partner = PartnerFactory()
    data = _payload(partner)
    data["document"] = pdf()
    response = client_as(staff).post("/partners/agreements/new/", data)
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/partners/agreements/{agreement.pk}/"


def test_page_agreement_create_wrong_type_shows_form_error(client_as, staff):
    partner = PartnerFactory()
    data = _payload(partner)
    data["document"] = SimpleUploadedFile("x.pdf", b"GIF89a" + b"0" * 50)
    response = client_as(staff).post("/partners/agreements/new/", data)
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].errors.as_data()["document"]] == ["bad_type"]
    assert Agreement.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("owner", 404),
        ("staff", 200),
        ("own_member", 200),
        ("other_member", 404),
    ],
)
def test_page_agreement_document_visibility(
    client_as, owner, staff, manager_member, other_member, who, expected
):
    agreement = AgreementFactory(partner=manager_member.partner)
    user = {
        "anonymous": None,
        "owner": owner,
        "staff": staff,
        "own_member": manager_member.user,
        "other_member": other_member.user,
    }[who]
    response = client_as(user).get(f"/partners/agreements/{agreement.pk}/document/")
    assert response.status_code == expected
