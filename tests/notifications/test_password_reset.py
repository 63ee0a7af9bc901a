"""Password-reset mail goes through the outbox: e-mail and in-app, whatever the choices."""

import re

import pytest
from django.core import mail

from ikm_portal.notifications.models import Notification
from tests.factories.notifications import NotificationPreferenceFactory

pytestmark = pytest.mark.django_db


def test_password_reset_goes_through_the_outbox(client, owner, deliver_on_commit):
    NotificationPreferenceFactory(user=owner, email=False)
    with deliver_on_commit():
        response = client.post("/accounts/password/reset/", {"email": owner.email.upper()})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    rows = list(Notification.objects.order_by("channel"))
    assert [(r.channel, r.status, r.template) for r in rows] == [
        ("email", "sent", "password_reset"),
        ("in_app", "sent", "password_reset"),
    ]
    [message] = mail.outbox
    assert message.to == [owner.email]
    assert message.subject == "Atur ulang kata sandi Portal IKM Anda"
    link = re.search(r"http://testserver(/accounts/password/reset/[^/]+/[^/]+/)", message.body)
    assert link is not None
    # The link works: Django swaps the token into the session and shows the form.
    follow = client.get(link.group(1), follow=True)
    assert follow.status_code == 200
    assert "new_password1" in follow.content.decode()


def test_password_reset_key_does_not_reveal_the_token(client, owner, deliver_on_commit):
    with deliver_on_commit():
        client.post("/accounts/password/reset/", {"email": owner.email})
    email = Notification.objects.get(channel="email")
    token = re.search(r"/reset/[^/]+/([^/]+)/", email.body).group(1)
    assert token not in email.key
    assert email.key.startswith(f"password_reset:{owner.pk}:")


def test_password_reset_for_unknown_address_sends_nothing(client, deliver_on_commit):
    with deliver_on_commit():
        response = client.post("/accounts/password/reset/", {"email": "nobody@example.id"})
    assert response.status_code == 302
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_password_reset_shows_in_the_delivery_log(client, client_as, owner, staff):
    client.post("/accounts/password/reset/", {"email": owner.email})
    body = client_as(staff).get("/notifications/log/?template=password_reset").content.decode()
    assert owner.email in body
    assert "2 pesan" in body
