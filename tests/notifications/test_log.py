"""The delivery log for office staff: pages and API, filters, resend, cancel, contracts."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ikm_portal.core.models import ActivityLog
from ikm_portal.notifications.models import Notification
from tests.factories import UserFactory
from tests.factories.notifications import NotificationFactory

pytestmark = pytest.mark.django_db

ROLES = [
    ("anonymous", None),
    ("owner", 403),
    ("other_owner", 403),
    ("staff", 200),
    ("office_admin", 200),
    ("partner_manager", 403),
    ("partner_reviewer", 403),
]


def _user(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


@pytest.mark.parametrize(("role", "expected"), ROLES)
def test_log_page_contract(request, client_as, role, expected):
    response = client_as(_user(request, role)).get("/notifications/log/")
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(("role", "expected"), ROLES)
def test_log_detail_page_contract(request, client_as, owner, role, expected):
    row = NotificationFactory(recipient=owner)
    response = client_as(_user(request, role)).get(f"/notifications/log/{row.pk}/")
    assert response.status_code == (302 if role == "anonymous" else expected)


@pytest.mark.parametrize(
    ("role", "expected"), [("anonymous", 401), *[r for r in ROLES if r[0] != "anonymous"]]
)
def test_log_api_contract(request, api_as, owner, role, expected):
    row = NotificationFactory(recipient=owner)
    client = api_as(_user(request, role))
    assert client.get("/api/v1/notification-log/").status_code == expected
    assert client.get(f"/api/v1/notification-log/{row.pk}/").status_code == expected
    assert client.post(f"/api/v1/notification-log/{row.pk}/cancel/").status_code == expected


def test_log_page_lists_rows_with_status_and_error(client_as, staff, owner):
    NotificationFactory(recipient=owner, subject="Pesan A")
    NotificationFactory(recipient=owner, status="failed", last_error="SMTP 550: 5.1.1 User unknown")
    body = client_as(staff).get("/notifications/log/").content.decode()
    assert "2 pesan" in body
    assert "SMTP 550: 5.1.1 User unknown" in body
    assert owner.email in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=failed", ["failed-email"]),
        ("channel=in_app", ["sent-inapp"]),
        ("template=password_reset", ["reset"]),
        ("recipient=xyzzy", ["failed-email", "sent-inapp"]),
        ("recipient=0812 9999 0000", ["bare-sms"]),
        ("status=failed&channel=in_app", []),
    ],
)
def test_log_filters_by_status_channel_template_and_recipient(client_as, staff, query, expected):
    budi = UserFactory(full_name="Budi Xyzzy", email="budi@example.id")
    NotificationFactory(recipient=budi, status="failed", key="failed-email")
    NotificationFactory(recipient=budi, inbox=True, key="sent-inapp")
    NotificationFactory(template="password_reset", key="reset")
    NotificationFactory(recipient=None, channel="sms", address="+6281299990000", key="bare-sms")
    response = client_as(staff).get(f"/notifications/log/?{query}")
    keys = [row.key for row in response.context["page"].object_list]
    assert sorted(keys) == sorted(expected)
    api = client_as(staff).get(f"/api/v1/notification-log/?{query}")
    assert sorted(r["key"] for r in api.json()["results"]) == sorted(expected)


def test_log_bad_filter_value_is_a_form_error_not_a_500(client_as, staff):
    response = client_as(staff).get("/notifications/log/?status=lost")
    assert response.status_code == 200
    assert response.context["filterset"].errors["status"]
    api = client_as(staff).get("/api/v1/notification-log/?status=lost")
    assert api.status_code == 400
    assert list(api.json()) == ["status"]


def test_log_htmx_request_gets_only_the_results(client_as, staff, owner):
    NotificationFactory(recipient=owner)
    response = client_as(staff).get("/notifications/log/", HTTP_HX_REQUEST="true")
    assert response.templates[0].name == "notifications/log/_results.html"


def test_log_csv_export(client_as, staff, owner):
    NotificationFactory(recipient=owner, status="failed", last_error="boom")
    response = client_as(staff).get("/notifications/log/?status=failed&export=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0].split(",")[:3] == ["id", "created_at", "recipient"]
    assert len(lines) == 2
    assert lines[1].endswith(",boom")


def test_log_detail_shows_rendered_message_and_error(client_as, staff, owner):
    row = NotificationFactory(
        recipient=owner,
        subject="Registrasi terverifikasi",
        body="Usaha Anda sudah terverifikasi.",
        body_html="<p>Usaha Anda</p>",
        status="failed",
        last_error="SMTP 550: 5.1.1 User unknown",
    )
    body = client_as(staff).get(f"/notifications/log/{row.pk}/").content.decode()
    assert "Registrasi terverifikasi" in body
    assert "Usaha Anda sudah terverifikasi." in body
    assert "SMTP 550: 5.1.1 User unknown" in body
    assert 'srcdoc="&lt;p&gt;Usaha Anda&lt;/p&gt;"' in body
    assert f'action="/notifications/log/{row.pk}/resend/"' in body


def test_log_detail_hides_the_text_of_a_password_reset(client_as, staff, owner):
    row = NotificationFactory(
        recipient=owner, template="password_reset", body="http://x/reset/MQ/secret-token/"
    )
    body = client_as(staff).get(f"/notifications/log/{row.pk}/").content.decode()
    assert "secret-token" not in body
    api = client_as(staff).get(f"/api/v1/notification-log/{row.pk}/").json()
    assert api["body"] == "(disembunyikan: pesan ini berisi tautan masuk)"


def test_resend_failed_message_queues_and_delivers_it(client_as, staff, owner, deliver_on_commit):
    row = NotificationFactory(recipient=owner, status="failed", attempts=8, last_error="x")
    with deliver_on_commit():
        response = client_as(staff).post(f"/notifications/log/{row.pk}/resend/")
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert len(mail.outbox) == 1
    log = ActivityLog.objects.get(object_id=str(row.pk))
    assert (log.action, log.actor, log.from_state, log.to_state) == (
        "notification.queued",
        staff,
        "failed",
        "queued",
    )


def test_resend_sent_message_is_refused_with_a_message(client_as, staff, owner):
    row = NotificationFactory(recipient=owner, status="sent")
    response = client_as(staff).post(f"/notifications/log/{row.pk}/resend/", follow=True)
    assert "Hanya pesan yang gagal yang dapat dikirim ulang." in response.content.decode()
    row.refresh_from_db()
    assert row.status == "sent"


def test_cancel_asks_for_confirmation_then_cancels(client_as, staff, owner):
    row = NotificationFactory(recipient=owner)
    client = client_as(staff)
    confirm = client.get(f"/notifications/log/{row.pk}/cancel/")
    assert confirm.status_code == 200
    assert "Tindakan ini tidak dapat dibatalkan." in confirm.content.decode()
    row.refresh_from_db()
    assert row.status == "queued"
    client.post(f"/notifications/log/{row.pk}/cancel/")
    row.refresh_from_db()
    assert row.status == "cancelled"
    from ikm_portal.notifications.services import notification_deliver

    assert notification_deliver(notification_id=row.pk) == "skipped"
    assert mail.outbox == []


def test_cancel_sent_message_via_api_is_409(api_as, staff, owner):
    row = NotificationFactory(recipient=owner, status="sent")
    response = api_as(staff).post(f"/api/v1/notification-log/{row.pk}/cancel/")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"


def test_resend_via_api(api_as, staff, owner, deliver_on_commit):
    row = NotificationFactory(recipient=owner, status="failed")
    with deliver_on_commit():
        response = api_as(staff).post(f"/api/v1/notification-log/{row.pk}/resend/")
    assert response.status_code == 200
    assert response.json()["status"] == "queued"
    row.refresh_from_db()
    assert row.status == "sent"


def test_log_api_row_fields(api_as, staff, owner):
    row = NotificationFactory(recipient=owner, subject="S", body="B")
    data = api_as(staff).get(f"/api/v1/notification-log/{row.pk}/").json()
    assert data == {
        "id": row.pk,
        "key": row.key,
        "recipient": owner.pk,
        "recipient_email": owner.email,
        "address": owner.email,
        "channel": "email",
        "template": "staff_digest",
        "language": "id",
        "subject": "S",
        "body": "B",
        "status": "queued",
        "attempts": 0,
        "last_error": "",
        "external_id": "",
        "related_type": None,
        "related_id": "",
        "created_at": data["created_at"],
        "next_attempt_at": data["next_attempt_at"],
        "sent_at": None,
        "read_at": None,
    }


def _count_queries(client, url):
    client.get(url)  # warm per-process caches (content types, permissions) first
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/api/v1/notification-log/", "/notifications/log/"])
def test_log_list_query_count_is_the_same_for_1_and_20_rows(client_as, staff, url):
    client = client_as(staff)
    NotificationFactory()
    one = _count_queries(client, url)
    NotificationFactory.create_batch(19)
    twenty = _count_queries(client, url)
    assert one == twenty
    assert Notification.objects.count() == 20


def test_staff_dashboard_shows_the_failed_count(client_as, staff, owner):
    NotificationFactory.create_batch(3, recipient=owner, status="failed")
    response = client_as(staff).get("/dashboard/")
    body = response.content.decode()
    assert "Pengiriman pesan" in body
    assert "pesan tidak dapat dikirim" in body
    [panel] = [p for p in response.context["panels"] if "delivery" in p.template]
    assert (panel.context["failed"], panel.context["queued"]) == (3, 0)


def test_owner_dashboard_has_no_delivery_panel(client_as, owner):
    NotificationFactory(recipient=owner, status="failed")
    assert "Pengiriman pesan" not in client_as(owner).get("/dashboard/").content.decode()


def test_delivery_log_link_in_the_navigation_for_staff_only(client_as, staff, owner):
    assert 'href="/notifications/log/"' in client_as(staff).get("/dashboard/").content.decode()
    assert 'href="/notifications/log/"' not in client_as(owner).get("/dashboard/").content.decode()
