import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from ikm_portal.core.models import ActivityLog
from ikm_portal.privacy.models import PrivacyNotice
from ikm_portal.privacy.selectors import notice_current_version
from ikm_portal.privacy.services import notice_save

pytestmark = pytest.mark.django_db


def _new_notice(version="2027-01", days_ago=0):
    return notice_save(
        notice=PrivacyNotice(
            version=version,
            effective_on=timezone.localdate() - datetime.timedelta(days=days_ago),
            text_id="Versi baru pemberitahuan privasi.",
            text_en="The new privacy notice.",
            changes="Tujuan berita ditambahkan.",
        )
    )


def test_first_notice_is_seeded_by_the_migration():
    notice = PrivacyNotice.objects.get()
    assert (notice.version, notice_current_version()) == (settings.PRIVACY_NOTICE_VERSION,) * 2
    assert "Pelindungan Data Pribadi" in notice.text_id


def test_privacy_page_shows_officer_purposes_and_retention_from_settings(client, settings):
    settings.PRIVACY_DPO_NAME = "Ir. Siti Rahma"
    settings.PRIVACY_DPO_EMAIL = "ppdp@contoh.go.id"
    settings.PRIVACY_DPO_PHONE = "0341 123456"
    settings.PRIVACY_RETENTION = {
        "registry_years": 7,
        "draft_days": 90,
        "programme_years": 4,
        "log_years": 6,
    }
    response = client.get("/privacy/")
    body = response.content.decode()
    assert response.status_code == 200
    for text in ("Ir. Siti Rahma", "ppdp@contoh.go.id", "0341 123456", "90 hari", "7 tahun"):
        assert text in body, text
    assert "Berita dari dinas" in body
    assert settings.PRIVACY_NOTICE_VERSION in body


def test_privacy_page_in_english_shows_the_english_text(client):
    client.cookies["django_language"] = "en"
    body = client.get("/privacy/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Law 27/2022 on Personal Data Protection" in body


def test_a_new_version_in_force_becomes_current_and_the_old_one_stays_readable(client):
    _new_notice()
    assert notice_current_version() == "2027-01"
    assert "Versi baru pemberitahuan privasi." in client.get("/privacy/").content.decode()
    old = client.get(f"/privacy/versions/{settings.PRIVACY_NOTICE_VERSION}/")
    assert old.status_code == 200
    assert "Dinas mengelola pendaftaran" in old.content.decode()
    assert ActivityLog.objects.filter(action="privacy_notice.created").count() == 1


def test_a_version_not_yet_in_force_is_not_current():
    _new_notice(days_ago=-7)
    assert notice_current_version() == settings.PRIVACY_NOTICE_VERSION


def test_unknown_version_page_is_404(client):
    assert client.get("/privacy/versions/1999-01/").status_code == 404


def test_api_notice_is_public(api_client):
    response = api_client.get("/api/v1/privacy/notice/")
    assert response.status_code == 200
    assert (response.data["version"], response.data["needs_acknowledgement"]) == (
        settings.PRIVACY_NOTICE_VERSION,
        False,
    )


def test_api_acknowledge_needs_sign_in(api_client):
    assert api_client.post("/api/v1/privacy/notice/").status_code == 401


def test_admin_publishes_a_version_through_the_service(client, office_admin):
    client.force_login(office_admin)
    response = client.post(
        "/admin/privacy/privacynotice/add/",
        {
            "version": "2027-02",
            "effective_on": timezone.localdate().isoformat(),
            "text_id": "Teks baru.",
            "text_en": "",
            "changes": "",
        },
    )
    assert response.status_code == 302
    assert notice_current_version() == "2027-02"
