import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from ikm_portal.core.models import ActivityLog
from ikm_portal.privacy.models import Consent
from tests.factories import UserFactory


def _at_once(n, work):
    barrier = threading.Barrier(n)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait(timeout=10)
            statuses.append(work())
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return statuses, errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_gives_make_one_active_consent():
    owner = UserFactory(role="ikm_owner")

    def give():
        client = APIClient()
        client.force_authenticate(owner)
        return client.post("/api/v1/privacy/consents/", {"purpose": "news"}).status_code

    statuses, errors = _at_once(2, give)
    assert (errors, statuses) == ([], [201, 201])
    assert Consent.objects.filter(user=owner, purpose="news").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_withdrawals_withdraw_once():
    from ikm_portal.privacy.services import consent_give

    owner = UserFactory(role="ikm_owner")
    consent = consent_give(user=owner, purpose="news", context="consents_page", actor=owner)

    def withdraw():
        client = APIClient()
        client.force_authenticate(owner)
        return client.post(f"/api/v1/privacy/consents/{consent.pk}/withdraw/").status_code

    statuses, errors = _at_once(2, withdraw)
    assert (errors, statuses) == ([], [200, 200])
    assert ActivityLog.objects.filter(action="consent.withdrawn").count() == 1
