"""Users choose their channels on the profile page."""

import pytest

from ikm_portal.notifications.models import NotificationPreference
from ikm_portal.notifications.services import notification_queue

pytestmark = pytest.mark.django_db


def test_profile_page_shows_the_channel_choices(client_as, owner):
    body = client_as(owner).get("/accounts/profile/").content.decode()
    assert 'action="/notifications/preferences/"' in body
    assert 'name="email" id="id_email" class="form-check-input" checked' in body
    # No gateway configured: WhatsApp and SMS cannot be chosen yet, and say why.
    assert 'name="whatsapp" id="id_whatsapp" class="form-check-input"  disabled' in body
    assert "Belum tersedia" in body


def test_saving_the_choices(client_as, owner, settings):
    settings.WHATSAPP_API_URL = "http://127.0.0.1:9/send"
    response = client_as(owner).post("/notifications/preferences/", {"whatsapp": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"
    pref = NotificationPreference.objects.get(user=owner)
    assert (pref.email, pref.whatsapp, pref.sms) == (False, True, False)


def test_channel_that_is_off_cannot_be_chosen(client_as, owner):
    client_as(owner).post("/notifications/preferences/", {"email": "on", "sms": "on"})
    pref = NotificationPreference.objects.get(user=owner)
    assert (pref.email, pref.sms) == (True, False)


def test_choices_apply_to_the_next_message(client_as, owner):
    client_as(owner).post("/notifications/preferences/", {})
    rows = notification_queue(
        recipient=owner,
        template="staff_digest",
        context={"total": 1, "items": []},
        channels=["email", "in_app"],
        key="k",
    )
    assert [r.channel for r in rows] == ["in_app"]


def test_preferences_need_login(client):
    response = client.post("/notifications/preferences/", {"email": "on"})
    assert response.status_code == 302
    assert NotificationPreference.objects.count() == 0


def test_choices_form_carries_a_csrf_token(owner):
    import re

    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    page = client.get("/accounts/profile/").content.decode()
    form = page[page.index('action="/notifications/preferences/"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = client.post("/notifications/preferences/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=owner).email is False
