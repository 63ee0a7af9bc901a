"""`/healthz?full=1`, the operations page and the dashboard panel. The two-key `/healthz` of the
load balancer is tested in tests/core/test_health.py."""

import json
import time

import pytest
from django.conf import settings
from django.db.migrations.recorder import MigrationRecorder

from ikm_portal.core import heartbeats

EAGER_FULL = {
    "database": "ok",
    "broker": "eager",
    "migrations": {"status": "ok", "unapplied": []},
    "workers": {"status": "eager", "alive": 0, "hosts": {}, "queues_without_worker": []},
    "beat": {"status": "eager", "age_seconds": None},
    "queues": {},
}


@pytest.fixture
def eager(settings):
    settings.CELERY_BROKER_URL = ""


@pytest.mark.django_db
def test_full_health_anonymous_is_403(client, eager):
    response = client.get("/healthz?full=1")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Full health needs an office administrator or X-Healthz-Token."
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "owner", "partner_manager"])
def test_full_health_other_roles_are_403(client_as, request, role, eager):
    user = request.getfixturevalue(role)
    assert client_as(user).get("/healthz?full=1").status_code == 403


@pytest.mark.django_db
def test_full_health_office_admin_eager(client_as, office_admin, eager):
    response = client_as(office_admin).get("/healthz?full=1")
    assert response.status_code == 200
    assert response.json() == EAGER_FULL


@pytest.mark.django_db
def test_full_health_with_token_header(client, settings, eager):
    settings.HEALTHZ_TOKEN = "monitor-token-0123456789"
    good = client.get("/healthz?full=1", HTTP_X_HEALTHZ_TOKEN="monitor-token-0123456789")
    bad = client.get("/healthz?full=1", HTTP_X_HEALTHZ_TOKEN="wrong")
    assert good.status_code == 200
    assert good.json() == EAGER_FULL
    assert bad.status_code == 403


@pytest.mark.django_db
def test_full_health_lists_unapplied_migration(client_as, office_admin, eager):
    MigrationRecorder.Migration.objects.filter(app="core", name="0001_initial").delete()
    response = client_as(office_admin).get("/healthz?full=1")
    assert response.status_code == 200
    assert response.json()["migrations"] == {
        "status": "pending",
        "unapplied": ["core.0001_initial"],
    }


@pytest.mark.django_db
def test_full_health_broker_down_is_still_200(client_as, office_admin, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client_as(office_admin).get("/healthz?full=1")
    assert response.status_code == 200
    body = response.json()
    assert body["broker"] == "down"
    assert body["workers"]["status"] == "unknown"
    assert body["beat"] == {"status": "unknown", "age_seconds": None}
    assert body["queues"] == {
        "celery": None,
        "notifications": None,
        "imports": None,
        "reports": None,
    }


# --- Operations page and dashboard panel ----------------------------------------------------


@pytest.mark.django_db
def test_operations_page_anonymous_redirects_to_login(client):
    response = client.get("/operations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "owner", "partner_reviewer"])
def test_operations_page_other_roles_404(client_as, request, role):
    assert client_as(request.getfixturevalue(role)).get("/operations/").status_code == 404


@pytest.mark.django_db
def test_operations_page_office_admin_eager(client_as, office_admin, eager):
    response = client_as(office_admin).get("/operations/")
    assert response.status_code == 200
    # The administrator's language (Indonesian by default) applies.
    assert "Status sistem" in response.content.decode()
    assert "Broker antrean belum diatur" in response.content.decode()


@pytest.mark.django_db
def test_dashboard_panel_only_for_office_admin(client_as, office_admin, staff, eager):
    admin_page = client_as(office_admin).get("/dashboard/")
    staff_page = client_as(staff).get("/dashboard/")
    assert b'href="/operations/"' in admin_page.content
    assert b'href="/operations/"' not in staff_page.content


# --- With a real Redis broker ----------------------------------------------------------------


@pytest.fixture
def redis_clean():
    client = heartbeats.client()
    keys = [heartbeats.BEAT_KEY]
    for name in settings.TASK_QUEUE_NAMES:
        keys += [name, *(f"{name}\x06\x16{step}" for step in (3, 6, 9))]

    def wipe():
        for key in client.scan_iter(match=heartbeats.PREFIX + "*"):
            client.delete(key)
        client.delete(*keys)

    wipe()
    yield client
    wipe()


@pytest.mark.redis
@pytest.mark.django_db
def test_full_health_reads_heartbeats_and_queue_lengths(client_as, office_admin, redis_clean):
    now = time.time()
    heartbeats.write_worker("w1@web1", ["celery", "notifications"], now=now - 5)
    heartbeats.write_worker("w2@web2", ["imports"], now=now - 600)
    heartbeats.write_beat(now=now - 10)
    redis_clean.rpush("notifications", json.dumps({"n": 1}), json.dumps({"n": 2}))
    redis_clean.rpush("reports\x06\x163", json.dumps({"n": 3}))
    body = client_as(office_admin).get("/healthz?full=1").json()
    assert body["broker"] == "ok"
    assert body["workers"]["status"] == "degraded"
    assert body["workers"]["alive"] == 1
    assert body["workers"]["hosts"]["w1@web1"]["status"] == "ok"
    assert body["workers"]["hosts"]["w1@web1"]["queues"] == ["celery", "notifications"]
    assert body["workers"]["hosts"]["w2@web2"]["status"] == "stale"
    assert body["workers"]["queues_without_worker"] == ["imports", "reports"]
    assert body["beat"]["status"] == "ok"
    assert body["queues"] == {"celery": 0, "notifications": 2, "imports": 0, "reports": 1}
    page = client_as(office_admin).get("/operations/")
    assert b'data-queue="notifications">2<' in page.content


@pytest.mark.redis
@pytest.mark.django_db
def test_full_health_without_any_heartbeat(client_as, office_admin, redis_clean):
    body = client_as(office_admin).get("/healthz?full=1").json()
    assert body["workers"] == {
        "status": "down",
        "alive": 0,
        "hosts": {},
        "queues_without_worker": ["celery", "notifications", "imports", "reports"],
    }
    assert body["beat"] == {"status": "missing", "age_seconds": None}
