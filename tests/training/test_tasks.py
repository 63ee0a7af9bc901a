from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from tests.factories import AgreementFactory, ApplicationFactory, ProgramFactory
from training.choices import ApplicationStatus, ProgramStatus
from training.tasks import programs_sweep, screen_application

pytestmark = pytest.mark.django_db


def test_programs_sweep_closes_ended_windows_and_screens_lost_submissions():
    ended = ProgramFactory(
        with_setup=True,
        opens_at=timezone.now() - timedelta(days=10),
        closes_at=timezone.now() - timedelta(minutes=5),
    )
    running = ProgramFactory(with_setup=True)
    lost = ApplicationFactory(program=running, status=ApplicationStatus.SUBMITTED)
    assert programs_sweep.delay().get() == {"closed": 1, "screened": 1}
    ended.refresh_from_db()
    lost.refresh_from_db()
    assert (ended.status, lost.status) == (ProgramStatus.REVIEWING, ApplicationStatus.ELIGIBLE)
    assert programs_sweep.delay().get() == {"closed": 0, "screened": 0}


def test_screen_application_task_twice_changes_once():
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    assert screen_application.delay(application.pk).get() == "eligible"
    assert screen_application.delay(application.pk).get() == "eligible"
    from ikm_portal.core.models import ActivityLog

    assert (
        ActivityLog.objects.filter(object_id=str(application.pk), to_state="eligible").count() == 1
    )


def test_beat_schedule_runs_the_programme_sweep(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"training.programs_sweep", "partnerships.agreements_daily"} <= tasks


def test_staff_digest_items_count_what_waits():
    ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    ApplicationFactory(status=ApplicationStatus.ELIGIBLE)
    ApplicationFactory(status=ApplicationStatus.ELIGIBLE)
    AgreementFactory(valid_to=timezone.localdate() + timedelta(days=3))
    training = [
        count for _label, count, _url in apps.get_app_config("training").staff_digest_items()
    ]
    partnerships = [
        count for _label, count, _url in apps.get_app_config("partnerships").staff_digest_items()
    ]
    assert (training, partnerships) == ([1, 2], [1])
