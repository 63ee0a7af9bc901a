"""WhatsApp and SMS through an HTTP gateway: a real HTTP exchange with a fake gateway that
listens on 127.0.0.1 (200, 5xx, 4xx, time-out, connection refused)."""

import pytest

from ikm_portal.notifications import services
from ikm_portal.notifications.models import Notification
from tests.factories.notifications import NotificationFactory, NotificationPreferenceFactory

from .conftest import closed_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def wa_row(owner):
    return NotificationFactory(
        recipient=owner,
        channel="whatsapp",
        address="+6281234567890",
        body="Selamat, usaha Anda terverifikasi.",
        key="enterprise:7:verified:whatsapp",
    )


def test_gateway_200_marks_sent_and_keeps_the_message_id(gateway, wa_row):
    gateway.reply(200, {"id": "wamid.HBgN123"})
    assert services.notification_deliver(notification_id=wa_row.pk) == "sent"
    wa_row.refresh_from_db()
    assert (wa_row.status, wa_row.external_id, wa_row.last_error) == ("sent", "wamid.HBgN123", "")
    [request] = gateway.requests
    assert request["path"] == "/send"
    assert request["headers"]["Authorization"] == "Bearer wa-secret"
    assert request["headers"]["Idempotency-Key"] == "enterprise:7:verified:whatsapp"
    assert request["json"] == {
        "channel": "whatsapp",
        "to": "+6281234567890",
        "sender": "+6281100000000",
        "message": "Selamat, usaha Anda terverifikasi.",
        "reference": "enterprise:7:verified:whatsapp",
    }


def test_gateway_sms_uses_its_own_settings(gateway, owner):
    row = NotificationFactory(recipient=owner, channel="sms", address=owner.phone, body="Tes")
    gateway.reply(202, {"message_id": 991})
    assert services.notification_deliver(notification_id=row.pk) == "sent"
    row.refresh_from_db()
    assert row.external_id == "991"
    assert gateway.requests[0]["headers"]["Authorization"] == "Bearer sms-secret"
    assert gateway.requests[0]["json"]["sender"] == "DISKOPINDAG"


def test_gateway_5xx_is_transient_then_200_sends(gateway, wa_row):
    gateway.reply(503, {"error": "maintenance"})
    gateway.reply(200, {"id": "ok-2"})
    assert services.notification_deliver(notification_id=wa_row.pk) == "retry"
    wa_row.refresh_from_db()
    assert (wa_row.status, wa_row.attempts) == ("queued", 1)
    assert wa_row.last_error == 'WhatsApp gateway answered HTTP 503: {"error": "maintenance"}'
    assert services.notification_deliver(notification_id=wa_row.pk) == "sent"
    wa_row.refresh_from_db()
    assert (wa_row.status, wa_row.attempts, wa_row.external_id) == ("sent", 2, "ok-2")


def test_gateway_429_is_transient(gateway, wa_row):
    gateway.reply(429, {"error": "slow down"})
    assert services.notification_deliver(notification_id=wa_row.pk) == "retry"


def test_gateway_4xx_is_permanent(gateway, wa_row):
    gateway.reply(400, {"error": "invalid number"})
    assert services.notification_deliver(notification_id=wa_row.pk) == "failed"
    wa_row.refresh_from_db()
    assert (wa_row.status, wa_row.last_error) == (
        "failed",
        'WhatsApp gateway answered HTTP 400: {"error": "invalid number"}',
    )


def test_gateway_timeout_is_transient(gateway, wa_row):
    gateway.reply(200, {"id": "late"}, delay=5)
    assert services.notification_deliver(notification_id=wa_row.pk) == "retry"
    wa_row.refresh_from_db()
    assert (wa_row.status, wa_row.attempts) == ("queued", 1)
    assert wa_row.last_error == "The WhatsApp gateway did not answer within 0.5 s."


def test_gateway_connection_refused_is_transient(gateway, wa_row, settings):
    settings.WHATSAPP_API_URL = f"http://127.0.0.1:{closed_port()}/send"
    assert services.notification_deliver(notification_id=wa_row.pk) == "retry"
    wa_row.refresh_from_db()
    assert wa_row.last_error.startswith("Could not reach the WhatsApp gateway:")


def test_gateway_not_configured_leaves_the_row_queued_without_an_attempt(wa_row, settings):
    settings.WHATSAPP_API_URL = ""
    assert services.notification_deliver(notification_id=wa_row.pk) == "disabled"
    wa_row.refresh_from_db()
    assert (wa_row.status, wa_row.attempts) == ("queued", 0)
    assert "not configured" in wa_row.last_error


def test_gateway_rows_waiting_for_configuration_go_out_once_it_is_set(
    owner, settings, gateway, deliver_on_commit
):
    from datetime import timedelta

    from django.utils import timezone

    settings.WHATSAPP_API_URL = ""
    NotificationPreferenceFactory(user=owner, whatsapp=True)
    with deliver_on_commit():
        [row] = services.notification_queue(
            recipient=owner, template="staff_digest", context={}, channels=["whatsapp"], key="k"
        )
    assert Notification.objects.get(pk=row.pk).status == "queued"
    settings.WHATSAPP_API_URL = gateway.url
    Notification.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    assert services.notification_sweep()["enqueued"] == 1
    assert Notification.objects.get(pk=row.pk).status == "sent"
    assert gateway.requests[0]["json"]["to"] == owner.phone
