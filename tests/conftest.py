"""Fixtures for every test: one user per role, API clients, and a marker for PostgreSQL-only
tests (skipped with a reason on SQLite)."""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories import PartnerMemberFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://…")
    skip_redis = pytest.mark.skip(reason="needs Redis: set CELERY_BROKER_URL=redis://…")
    for item in items:
        if "postgres" in item.keywords and "postgresql" not in engine:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.CELERY_BROKER_URL:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True, scope="session")
def _tasks_in_process():
    """Tasks run in process in the test process even when CELERY_BROKER_URL names a real Redis
    (CI sets it): tests marked `redis` switch to the broker themselves, and the workers and
    beats they start as subprocesses use the broker as configured."""
    from ikm_portal.celery import app

    app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _force_login_counts_as_two_factor(monkeypatch):
    """`client.force_login(user)` is the test shortcut past the sign-in page; for a user with
    two-factor it also marks the session verified with their device, as the second step of the
    real sign-in does (ikm_portal/accounts/views.login_verify). The real path is unchanged and
    tested in tests/accounts/test_two_factor.py."""
    from django.test.client import ClientMixin
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    original = ClientMixin.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()

    monkeypatch.setattr(ClientMixin, "force_login", force_login)


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture
def owner(db):
    return UserFactory(role="ikm_owner")


@pytest.fixture
def other_owner(db):
    return UserFactory(role="ikm_owner")


@pytest.fixture
def staff(db):
    return UserFactory(role="office_staff")


@pytest.fixture
def office_admin(db):
    return UserFactory(role="office_admin", is_staff=True)


@pytest.fixture
def partner_manager(db):
    return PartnerMemberFactory(role="partner_manager").user


@pytest.fixture
def partner_reviewer(db):
    return PartnerMemberFactory(role="partner_reviewer").user


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api_as():
    """`api_as(user)` → an APIClient authenticated as that user (or anonymous for None)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def client_as(client):
    """`client_as(user)` → the Django test client logged in as that user."""

    def make(user=None):
        from django.test import Client

        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make
