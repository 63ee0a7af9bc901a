"""The periodic tasks of selection: scheduled, registered, and harmless when run twice."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from ikm_portal.celery import app
from ikm_portal.notifications.models import Notification
from tests.factories import ReviewFactory
from training.selection import services, tasks
from training.selection.choices import Decision
from training.selection.models import StageDecision

from .conftest import scores_for

pytestmark = pytest.mark.django_db


def test_tasks_registered_and_scheduled():
    assert {"training.selection_offers_sweep", "training.selection_review_reminders"} <= set(
        app.tasks
    )
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"training.selection_offers_sweep", "training.selection_review_reminders"} <= scheduled


def test_offers_sweep_lapses_once(stage1, staff, make_applicants, reviewers, review_all):
    applications = make_applicants(2)
    for i, a in enumerate(applications):
        review_all(
            [ReviewFactory(stage=stage1, application=a, reviewer=reviewers[0])],
            lambda r, i=i: 5 - i,
        )
    stage1.seats = 1
    stage1.save(update_fields=["seats"])
    config = services.stage_settings_get(stage1)
    config.waitlist_length = 1
    config.save()
    services.selection_publish(stage=stage1, actor=staff)
    StageDecision.objects.filter(status=Decision.SELECTED).update(
        response_deadline=timezone.now() - timedelta(minutes=1)
    )
    assert tasks.offers_sweep.delay().get() == {"lapsed": 1, "promoted": 1}
    assert tasks.offers_sweep.delay().get() == {"lapsed": 0, "promoted": 0}
    assert StageDecision.objects.get(application=applications[1]).status == Decision.SELECTED


def test_review_reminders_task_sends_once(stage1, make_applicants, reviewers):
    (application,) = make_applicants(1)
    ReviewFactory(stage=stage1, application=application, reviewer=reviewers[0])
    done = ReviewFactory(stage=stage1, application=application, reviewer=reviewers[1])
    services.review_save(review=done, actor=reviewers[1], scores=scores_for(2), comment="x")
    config = services.stage_settings_get(stage1)
    config.review_closes_at = timezone.now() + timedelta(days=1)
    config.save()
    assert tasks.review_reminders.delay().get() == 1
    tasks.review_reminders.delay().get()
    assert (
        Notification.objects.filter(template="selection_review_reminder", channel="in_app").count()
        == 1
    )
