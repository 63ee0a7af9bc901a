from datetime import timedelta

import pytest
from django.utils import timezone

from ikm_portal.core.models import ActivityLog
from ikm_portal.datarights import services
from ikm_portal.datarights.choices import REQUEST_TRANSITIONS, RequestStatus
from ikm_portal.datarights.models import DataRequest
from ikm_portal.datarights.tasks import request_reminders
from ikm_portal.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_owner_asks_for_a_correction_on_the_page(owner, client_as):
    response = client_as(owner).post(
        "/data/mine/", {"kind": "correction", "details": "Alamat usaha salah: Jl. Sanan 12"}
    )
    assert response.status_code == 302
    request = DataRequest.objects.get()
    assert (request.user, request.kind, request.status) == (owner, "correction", "open")
    assert request.due_at == request.created_at + timedelta(hours=72)


def test_correction_without_details_is_refused(owner, api_as):
    response = api_as(owner).post("/api/v1/data-requests/", {"kind": "correction"}, format="json")
    assert response.status_code == 400
    assert "details" in response.json()
    assert DataRequest.objects.count() == 0


def test_one_open_request_per_kind(owner, api_as):
    client = api_as(owner)
    assert (
        client.post("/api/v1/data-requests/", {"kind": "erasure"}, format="json").status_code == 201
    )
    assert (
        client.post("/api/v1/data-requests/", {"kind": "erasure"}, format="json").status_code == 409
    )


@pytest.mark.parametrize(
    ("who", "listed", "create"),
    [("anonymous", 401, 401), ("owner", 200, 201), ("staff", 200, 404), ("other_owner", 200, 201)],
)
def test_data_request_api_by_role(who, listed, create, request, api_as):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = api_as(user)
    assert client.get("/api/v1/data-requests/").status_code == listed
    response = client.post("/api/v1/data-requests/", {"kind": "erasure"}, format="json")
    assert response.status_code == create


def test_owners_see_only_their_requests_staff_see_all(owner, other_owner, staff, api_as):
    mine = services.data_request_create(user=owner, kind="erasure")
    services.data_request_create(user=other_owner, kind="erasure")
    assert [r["id"] for r in api_as(owner).get("/api/v1/data-requests/").json()["results"]] == [
        mine.pk
    ]
    assert api_as(other_owner).get(f"/api/v1/data-requests/{mine.pk}/").status_code == 404
    assert api_as(staff).get("/api/v1/data-requests/").json()["count"] == 2
    assert api_as(owner).post(f"/api/v1/data-requests/{mine.pk}/refuse/").status_code == 404


@pytest.mark.parametrize(
    ("start", "to"),
    [(a, b) for a in RequestStatus.values for b in RequestStatus.values if a != b],
)
def test_transition_table(start, to, owner, staff):
    request = services.data_request_create(user=owner, kind="correction", details="Nama salah")
    closed = start in (RequestStatus.DONE, RequestStatus.REFUSED)
    DataRequest.objects.filter(pk=request.pk).update(
        status=start, closed_at=timezone.now() if closed else None
    )
    if to in REQUEST_TRANSITIONS[start]:
        services.data_request_transition(request=request, to_status=to, actor=staff, response="Ok")
        assert DataRequest.objects.get(pk=request.pk).status == to
    else:
        with pytest.raises(services.InvalidTransition):
            services.data_request_transition(
                request=request, to_status=to, actor=staff, response="Ok"
            )
        assert DataRequest.objects.get(pk=request.pk).status == start


def test_staff_answer_on_the_page_and_the_owner_is_notified(
    owner, staff, client_as, django_capture_on_commit_callbacks
):
    request = services.data_request_create(user=owner, kind="correction", details="Nama salah")
    client = client_as(staff)
    queue = client.get("/data/requests/")
    assert [r.pk for r in queue.context["page"].object_list] == [request.pk]
    assert client.post(f"/data/requests/{request.pk}/done/", {"response": ""}).status_code == 302
    assert DataRequest.objects.get().status == "open"  # an answer is required
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/data/requests/{request.pk}/done/", {"response": "Nama sudah dibetulkan."})
    request.refresh_from_db()
    assert (request.status, request.handled_by, request.response) == (
        "done",
        staff,
        "Nama sudah dibetulkan.",
    )
    sent = Notification.objects.filter(template="datarights_request_answered")
    assert set(sent.values_list("channel", flat=True)) == {"email", "in_app"}
    assert "Nama sudah dibetulkan." in sent.get(channel="email").body
    assert (
        ActivityLog.objects.filter(action="datarights.request_transition", to_state="done").count()
        == 1
    )


def test_queue_highlights_overdue_requests(owner, staff, client_as):
    request = services.data_request_create(user=owner, kind="erasure")
    DataRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() - timedelta(hours=1))
    page = client_as(staff).get("/data/requests/")
    assert page.context["page"].object_list[0].is_overdue is True
    assert b"table-danger" in page.content


def test_reminder_before_the_deadline_is_sent_once(
    owner, staff, office_admin, django_capture_on_commit_callbacks
):
    early = services.data_request_create(user=owner, kind="erasure")
    services.data_request_create(user=owner, kind="correction", details="NIB salah")
    DataRequest.objects.filter(pk=early.pk).update(due_at=timezone.now() + timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert request_reminders.delay().get() == 1
        assert request_reminders.delay().get() == 0
    reminded = Notification.objects.filter(template="datarights_request_due", channel="in_app")
    assert sorted(reminded.values_list("recipient", flat=True)) == sorted(
        [staff.pk, office_admin.pk]
    )
    assert DataRequest.objects.get(pk=early.pk).reminded_at is not None


def test_staff_digest_counts_open_and_overdue_requests(owner):
    from ikm_portal.notifications.digest import staff_digest_items

    request = services.data_request_create(user=owner, kind="erasure")
    DataRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() - timedelta(hours=1))
    items = [i for i in staff_digest_items() if i.url == "/data/requests/"]
    assert [i.count for i in items] == [1, 1]


def test_request_detail_page_shows_actions_to_handlers_only(owner, staff, client_as):
    request = services.data_request_create(user=owner, kind="erasure")
    page = client_as(staff).get(f"/data/requests/{request.pk}/")
    assert page.status_code == 200
    assert page.context["actions"] == ["start", "done", "refuse"]
    assert client_as(owner).get(f"/data/requests/{request.pk}/").status_code == 404
    assert client_as(owner).post(f"/data/requests/{request.pk}/refuse/").status_code == 404
    client_as(staff).post(f"/data/requests/{request.pk}/start/")
    assert client_as(staff).get(f"/data/requests/{request.pk}/").context["actions"] == [
        "done",
        "refuse",
    ]


def test_owner_sees_the_answer_and_what_is_kept_on_my_data(owner, staff, client_as):
    request = services.data_request_create(user=owner, kind="correction", details="Nama salah")
    services.data_request_transition(
        request=request, to_status="refused", actor=staff, response="Dokumen belum lengkap."
    )
    page = client_as(owner).get("/data/mine/")
    assert page.status_code == 200
    assert "Dokumen belum lengkap." in page.content.decode()


def test_nav_shows_my_data_to_owners_and_requests_to_staff(owner, staff):
    from ikm_portal.core.extensions import nav_items

    assert "/data/mine/" in [i.url for i in nav_items(owner)]
    assert "/data/requests/" in [i.url for i in nav_items(staff)]
    assert "/data/mine/" not in [i.url for i in nav_items(staff)]


def test_data_request_list_query_count_same_for_1_and_20(staff, api_as):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import UserFactory

    client = api_as(staff)

    def add(n):
        for _ in range(n):
            services.data_request_create(user=UserFactory(role="ikm_owner"), kind="erasure")

    add(1)
    client.get("/api/v1/data-requests/")  # warm the permission caches
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/data-requests/").json()["count"] == 1
    add(19)
    with CaptureQueriesContext(connection) as twenty:
        assert client.get("/api/v1/data-requests/").json()["count"] == 20
    assert len(one) == len(twenty)


def test_dashboard_panels(owner, staff, client_as):
    request = services.data_request_create(user=owner, kind="erasure")
    DataRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() - timedelta(hours=1))
    staff_page = client_as(staff).get("/dashboard/")
    panels = [p for p in staff_page.context["panels"] if p.template.startswith("datarights/")]
    assert [(p.template, p.context) for p in panels] == [
        ("datarights/panels/office.html", {"open": 1, "overdue": 1})
    ]
    owner_page = client_as(owner).get("/dashboard/")
    assert "datarights/panels/owner.html" in [p.template for p in owner_page.context["panels"]]
