import pytest
from django.db import connection


@pytest.mark.django_db
def test_healthz_ok_with_eager_tasks(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "eager"}


@pytest.mark.django_db
def test_healthz_broker_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "down"}


@pytest.mark.redis
@pytest.mark.django_db
def test_healthz_broker_ok(client):
    assert client.get("/healthz").json() == {"database": "ok", "broker": "ok"}


@pytest.mark.postgres  # SQLite's in-memory test database would vanish if we took it down
@pytest.mark.django_db(transaction=True)
def test_healthz_database_down_is_503(client, settings):
    settings.CELERY_BROKER_URL = ""
    original = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict["PORT"] = "1"  # nothing listens there: a real refused connection
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(original)
    assert response.status_code == 503
    assert response.json() == {"database": "down", "broker": "eager"}
