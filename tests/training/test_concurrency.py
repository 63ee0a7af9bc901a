import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from ikm_portal.core.models import ActivityLog
from tests.factories import (
    ApplicationFactory,
    ProgramFactory,
    UserFactory,
    VerifiedEnterpriseFactory,
)
from training.choices import ApplicationStatus
from training.models import Application


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_make_one_submission():
    owner = UserFactory(role="ikm_owner")
    program = ProgramFactory(with_setup=True)
    application = ApplicationFactory(
        program=program, enterprise=VerifiedEnterpriseFactory(owner=owner)
    )
    barrier = threading.Barrier(2)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def submit():
        client = APIClient()
        client.force_authenticate(owner)
        try:
            barrier.wait(timeout=10)
            response = client.post(f"/api/v1/applications/{application.pk}/submit/")
            statuses.append(response.status_code)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert errors == []
    assert statuses == [200, 200]
    application.refresh_from_db()
    assert application.status in (ApplicationStatus.SUBMITTED, ApplicationStatus.ELIGIBLE)
    assert (
        ActivityLog.objects.filter(
            object_id=str(application.pk), action="application.submit"
        ).count()
        == 1
    )
    assert Application.objects.filter(program=program).count() == 1
