import datetime

import pytest
from django.utils import timezone

from ikm_portal.privacy.choices import Purpose
from ikm_portal.privacy.models import Consent, PrivacyNotice
from ikm_portal.privacy.services import consent_give, notice_save
from tests.factories.accounts import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def acknowledged_owner(owner):
    """An owner who acknowledged the first notice, before a new version came into force."""
    consent_give(user=owner, purpose=Purpose.REGISTRY, context="signup", actor=owner)
    notice_save(
        notice=PrivacyNotice(
            version="2027-01",
            effective_on=timezone.localdate() - datetime.timedelta(days=1),
            text_id="Versi 2027-01.",
            changes="Retensi diperpendek.",
        )
    )
    return owner


def _login(client, user):
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def test_new_version_asks_at_next_sign_in(client, acknowledged_owner):
    _login(client, acknowledged_owner)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/privacy/acknowledge/?next=%2Fdashboard%2F"
    page = client.get(response["Location"])
    assert "Retensi diperpendek." in page.content.decode()


def test_acknowledging_records_the_new_version_and_lets_the_owner_on(client, acknowledged_owner):
    _login(client, acknowledged_owner)
    response = client.post("/privacy/acknowledge/", {"action": "acknowledge", "next": "/programs/"})
    assert response["Location"] == "/programs/"
    versions = [
        (c.notice_version, c.is_active)
        for c in Consent.objects.filter(user=acknowledged_owner, purpose="registry").order_by(
            "given_at", "id"
        )
    ]
    assert versions == [("2026-11", False), ("2027-01", True)]
    assert client.get("/dashboard/").status_code == 200


def test_later_lets_the_owner_on_and_asks_again_next_time(client, acknowledged_owner):
    _login(client, acknowledged_owner)
    client.post("/privacy/acknowledge/", {"action": "later", "next": "/dashboard/"})
    assert client.get("/dashboard/").status_code == 200
    assert not Consent.objects.filter(notice_version="2027-01").exists()
    client.post("/accounts/logout/")
    _login(client, acknowledged_owner)
    assert client.get("/dashboard/").status_code == 302


def test_api_and_posts_are_never_interrupted(client, acknowledged_owner):
    _login(client, acknowledged_owner)
    assert client.get("/api/v1/accounts/me/").status_code == 200
    assert client.get("/privacy/consents/").status_code == 200


def test_never_acknowledged_accounts_are_not_interrupted(client, owner):
    _login(client, owner)
    assert client.get("/dashboard/").status_code == 200


def test_staff_are_not_interrupted(client, staff):
    consent_give(user=staff, purpose=Purpose.REGISTRY, context="signup", actor=staff)
    Consent.objects.update(notice_version="2020-01")
    _login(client, staff)
    assert client.get("/dashboard/").status_code == 200


def test_next_outside_the_site_is_refused(client, acknowledged_owner):
    _login(client, acknowledged_owner)
    response = client.post(
        "/privacy/acknowledge/", {"action": "later", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/dashboard/"


def test_api_acknowledge(api_as, acknowledged_owner):
    client = api_as(acknowledged_owner)
    assert client.get("/api/v1/privacy/notice/").data["needs_acknowledgement"] is True
    response = client.post("/api/v1/privacy/notice/")
    assert (response.status_code, response.data["acknowledged_version"]) == (200, "2027-01")
    assert response.data["needs_acknowledgement"] is False
