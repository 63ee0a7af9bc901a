"""The inbox: the user's own in-app messages (page, API, navbar count)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ikm_portal.notifications.models import Notification
from tests.factories.notifications import NotificationFactory
from tests.factories.partnerships import PartnerFactory

pytestmark = pytest.mark.django_db

SIGNED_IN = ["owner", "other_owner", "staff", "office_admin", "partner_manager", "partner_reviewer"]


@pytest.fixture
def messages(request):
    """One in-app message, one e-mail row and one unsent in-app row for every role."""
    made = {}
    for role in SIGNED_IN:
        user = request.getfixturevalue(role)
        made[role] = NotificationFactory(recipient=user, inbox=True, subject=f"Untuk {role}")
        NotificationFactory(recipient=user, channel="email")
    return made


@pytest.mark.parametrize("role", SIGNED_IN)
def test_inbox_api_lists_only_the_users_own_in_app_messages(request, api_as, messages, role):
    user = request.getfixturevalue(role)
    response = api_as(user).get("/api/v1/notifications/")
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [messages[role].pk]


def test_inbox_api_needs_authentication(api_as):
    assert api_as(None).get("/api/v1/notifications/").status_code == 401
    assert api_as(None).post("/api/v1/notifications/read-all/").status_code == 401


def test_inbox_api_message_fields(api_as, owner):
    partner = PartnerFactory()
    row = NotificationFactory(
        recipient=owner,
        inbox=True,
        subject="Lamaran Anda terpilih",
        body="Selamat!",
        context={"url": "/programs/1/"},
        content_type_id=None,
    )
    Notification.objects.filter(pk=row.pk).update(
        content_type=_ct(partner), object_id=str(partner.pk)
    )
    [data] = api_as(owner).get("/api/v1/notifications/").json()["results"]
    assert data == {
        "id": row.pk,
        "template": "staff_digest",
        "subject": "Lamaran Anda terpilih",
        "body": "Selamat!",
        "url": "/programs/1/",
        "related_type": "partnerships.partner",
        "related_id": str(partner.pk),
        "created_at": data["created_at"],
        "read_at": None,
        "is_read": False,
    }


def _ct(obj):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(obj)


def test_inbox_api_filters_unread(api_as, owner):
    unread = NotificationFactory(recipient=owner, inbox=True)
    NotificationFactory(recipient=owner, inbox=True, read_at="2026-11-29T10:00:00+07:00")
    results = api_as(owner).get("/api/v1/notifications/?unread=true").json()["results"]
    assert [r["id"] for r in results] == [unread.pk]


def test_read_marks_the_own_message(api_as, owner):
    row = NotificationFactory(recipient=owner, inbox=True)
    response = api_as(owner).post(f"/api/v1/notifications/{row.pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    row.refresh_from_db()
    assert row.read_at is not None


@pytest.mark.parametrize("role", ["other_owner", "staff", "office_admin", "partner_reviewer"])
def test_read_someone_elses_message_is_404(request, api_as, owner, role):
    row = NotificationFactory(recipient=owner, inbox=True)
    response = api_as(request.getfixturevalue(role)).post(f"/api/v1/notifications/{row.pk}/read/")
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_read_an_email_row_is_404(api_as, owner):
    row = NotificationFactory(recipient=owner, channel="email", status="sent")
    assert api_as(owner).post(f"/api/v1/notifications/{row.pk}/read/").status_code == 404


def test_read_all_marks_only_the_users_messages(api_as, owner, other_owner):
    NotificationFactory.create_batch(3, recipient=owner, inbox=True)
    theirs = NotificationFactory(recipient=other_owner, inbox=True)
    response = api_as(owner).post("/api/v1/notifications/read-all/")
    assert response.status_code == 200
    assert response.json() == {"marked": 3, "unread": 0}
    assert Notification.objects.filter(recipient=owner, read_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_inbox_api_query_count_is_the_same_for_1_and_20_rows(api_as, owner):
    client = api_as(owner)
    partner = PartnerFactory()
    NotificationFactory(recipient=owner, inbox=True)
    Notification.objects.update(content_type=_ct(partner), object_id=str(partner.pk))

    def count():
        client.get("/api/v1/notifications/")  # warm per-process caches first
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/notifications/").status_code == 200
        return len(ctx.captured_queries)

    one = count()
    NotificationFactory.create_batch(19, recipient=owner, inbox=True)
    Notification.objects.update(content_type=_ct(partner), object_id=str(partner.pk))
    assert count() == one


def test_inbox_page_query_count_is_the_same_for_1_and_20_rows(client_as, owner):
    client = client_as(owner)
    NotificationFactory(recipient=owner, inbox=True)

    def count():
        client.get("/notifications/")  # warm per-process caches first
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/notifications/").status_code == 200
        return len(ctx.captured_queries)

    one = count()
    NotificationFactory.create_batch(19, recipient=owner, inbox=True)
    assert count() == one


def test_inbox_page_needs_login(client):
    response = client.get("/notifications/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_inbox_page_lists_own_messages_with_the_unread_count(client_as, owner, other_owner):
    NotificationFactory(recipient=owner, inbox=True, subject="Registrasi terverifikasi")
    NotificationFactory(recipient=other_owner, inbox=True, subject="Pesan orang lain")
    body = client_as(owner).get("/notifications/").content.decode()
    assert "Registrasi terverifikasi" in body
    assert "Pesan orang lain" not in body
    assert "1 belum dibaca" in body


def test_inbox_empty_state_says_what_comes_here(client_as, owner):
    body = client_as(owner).get("/notifications/").content.decode()
    assert "Belum ada pesan." in body


def test_message_page_marks_it_read_and_links_to_the_object(client_as, owner):
    row = NotificationFactory(
        recipient=owner, inbox=True, body="Baris satu\nBaris dua", context={"url": "/registry/"}
    )
    response = client_as(owner).get(f"/notifications/{row.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Baris satu<br>Baris dua" in body
    assert 'href="/registry/"' in body
    row.refresh_from_db()
    assert row.read_at is not None


def test_message_page_of_someone_else_is_404(client_as, owner, other_owner):
    row = NotificationFactory(recipient=owner, inbox=True)
    assert client_as(other_owner).get(f"/notifications/{row.pk}/").status_code == 404


def test_mark_read_with_htmx_returns_the_item(client_as, owner):
    row = NotificationFactory(recipient=owner, inbox=True, subject="Halo")
    response = client_as(owner).post(f"/notifications/{row.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="notification-{row.pk}"' in response.content.decode()
    assert "list-group-item-primary" not in response.content.decode()


def test_mark_read_without_javascript_redirects_back(client_as, owner):
    row = NotificationFactory(recipient=owner, inbox=True)
    response = client_as(owner).post(
        f"/notifications/{row.pk}/read/", {"next": "/notifications/?page=1"}
    )
    assert response["Location"] == "/notifications/?page=1"


def test_mark_all_read_page(client_as, owner):
    NotificationFactory.create_batch(2, recipient=owner, inbox=True)
    response = client_as(owner).post("/notifications/read-all/")
    assert response.status_code == 302
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_navbar_shows_the_unread_count_and_the_inbox_link(client_as, owner):
    NotificationFactory.create_batch(2, recipient=owner, inbox=True)
    NotificationFactory(recipient=owner, channel="email", status="sent")
    body = client_as(owner).get("/dashboard/").content.decode()
    assert 'href="/notifications/">Kotak masuk <span class="badge' in body
    assert '>2<span class="visually-hidden"> belum dibaca</span>' in body


def test_dashboard_panel_for_unread_messages(client_as, owner):
    NotificationFactory(recipient=owner, inbox=True)
    body = client_as(owner).get("/dashboard/").content.decode()
    assert "Buka kotak masuk" in body
