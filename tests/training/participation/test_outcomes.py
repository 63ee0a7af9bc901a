from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ikm_portal.core.exceptions import ApplicationError, InvalidTransition
from ikm_portal.notifications.models import Notification
from tests.factories import ApplicationFactory
from tests.factories.participation import FIGURES, answer
from training.models import OutcomeSurvey
from training.participation.services import (
    add_months,
    outcome_request,
    outcome_submit,
    outcomes_remind,
    outcomes_request_due,
    outcomes_request_now,
    participant_transition,
)
from training.participation.tasks import outcomes_daily

pytestmark = pytest.mark.django_db


def _baseline(participant):
    return OutcomeSurvey.objects.get(application=participant.application, wave="baseline")


def test_outcome_submit_by_the_owner(participant, owner):
    survey = outcome_submit(
        survey=_baseline(participant), actor=owner, data=dict(FIGURES, what_changed="Belum ada")
    )
    assert survey.status == "submitted"
    assert survey.submitted_by == owner
    assert survey.on_behalf is False
    assert survey.monthly_turnover == FIGURES["monthly_turnover"]


def test_outcome_submit_by_staff_is_on_behalf(participant, staff):
    survey = outcome_submit(survey=_baseline(participant), actor=staff, data=dict(FIGURES))
    assert (survey.status, survey.on_behalf, survey.submitted_by) == ("submitted", True, staff)


def test_outcome_submit_by_another_owner_is_refused(participant, other_owner):
    with pytest.raises(InvalidTransition):
        outcome_submit(survey=_baseline(participant), actor=other_owner, data=dict(FIGURES))


def test_outcome_submit_twice_by_the_owner_is_refused_staff_may_correct(participant, owner, staff):
    survey = outcome_submit(survey=_baseline(participant), actor=owner, data=dict(FIGURES))
    with pytest.raises(InvalidTransition):
        outcome_submit(survey=survey, actor=owner, data=dict(FIGURES, workers=4))
    corrected = outcome_submit(survey=survey, actor=staff, data=dict(FIGURES, workers=4))
    assert corrected.workers == 4
    assert corrected.submitted_by == owner
    assert corrected.on_behalf is False


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("monthly_turnover", "-5"),
        ("monthly_turnover", "banyak"),
        ("monthly_turnover", ""),
        ("workers", "2.5"),
        ("output_unit", ""),
        ("markets", ["mars"]),
        ("certifications", ["iso9001"]),
        ("what_changed", "x" * 5001),
        ("unit_cost", "NaN"),
        ("selling_price", "1e20"),
    ],
)
def test_outcome_submit_bad_figure_gets_a_field_error(participant, owner, field, value):
    with pytest.raises(ApplicationError) as exc:
        outcome_submit(
            survey=_baseline(participant), actor=owner, data=dict(FIGURES, **{field: value})
        )
    assert field in exc.value.field_errors
    assert _baseline(participant).status == "requested"


def test_outcome_request_is_idempotent_and_notifies_once(
    accepted, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = outcome_request(application=accepted, wave="endline")
        second = outcome_request(application=accepted, wave="endline")
    assert first.pk == second.pk
    assert len(mail.outbox) == 1
    assert first.due_on == timezone.localdate() + timedelta(days=14)


def test_add_months_keeps_the_day_or_the_months_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 8, 15), 6) == date(2027, 2, 15)


@pytest.fixture
def ended_program(program, participant, other_participant):
    program.status = "running"
    program.starts_on = timezone.localdate() - timedelta(days=90)
    program.ends_on = timezone.localdate() - timedelta(days=1)
    program.save()
    return program


def test_outcomes_request_due_asks_participants_and_answered_comparison_for_the_endline(
    ended_program, participant, other_participant, tracks
):
    comparison = ApplicationFactory(program=ended_program, status="not_selected")
    answer(comparison, "baseline")
    silent = ApplicationFactory(program=ended_program, status="not_selected")
    participant_transition(participant=other_participant, to="dropped", reason="Tutup usaha")
    counts = outcomes_request_due()
    assert counts == {"endline": 2, "followup": 0}
    asked = set(
        OutcomeSurvey.objects.filter(wave="endline").values_list("application_id", flat=True)
    )
    assert asked == {participant.application_id, comparison.pk}
    assert not OutcomeSurvey.objects.filter(application=silent).exists()
    assert outcomes_request_due() == {"endline": 0, "followup": 0}


def test_outcomes_request_due_not_before_the_end_date(program, participant):
    program.starts_on = timezone.localdate() - timedelta(days=30)
    program.ends_on = timezone.localdate() + timedelta(days=3)
    program.save()
    assert outcomes_request_due() == {"endline": 0, "followup": 0}


def test_outcomes_request_due_asks_for_the_followup_after_the_configured_months(
    ended_program, participant, rule
):
    rule.follow_up_months = 3
    rule.save()
    answer(participant.application, "endline")
    assert (
        outcomes_request_due(today=add_months(ended_program.ends_on, 3) - timedelta(days=1))[
            "followup"
        ]
        == 0
    )
    assert outcomes_request_due(today=add_months(ended_program.ends_on, 3))["followup"] == 1
    assert (
        OutcomeSurvey.objects.filter(wave="followup").get().application == participant.application
    )


def test_outcomes_remind_weekly_three_times_at_most(
    participant, django_capture_on_commit_callbacks
):
    survey = _baseline(participant)
    OutcomeSurvey.objects.filter(pk=survey.pk).update(
        requested_at=timezone.now() - timedelta(days=8)
    )
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert outcomes_remind(now=now) == 1
        assert outcomes_remind(now=now) == 0  # a second run the same day sends nothing
        assert outcomes_remind(now=now + timedelta(days=3)) == 0
        assert outcomes_remind(now=now + timedelta(days=7)) == 1
        assert outcomes_remind(now=now + timedelta(days=14)) == 1
        assert outcomes_remind(now=now + timedelta(days=21)) == 0
    reminders = Notification.objects.filter(
        template="participation_outcome_reminder", channel="email"
    )
    assert reminders.count() == 3
    assert OutcomeSurvey.objects.get(pk=survey.pk).reminders_sent == 3


def test_outcomes_remind_skips_answered_surveys(participant, owner):
    survey = outcome_submit(survey=_baseline(participant), actor=owner, data=dict(FIGURES))
    OutcomeSurvey.objects.filter(pk=survey.pk).update(
        requested_at=timezone.now() - timedelta(days=30)
    )
    assert outcomes_remind() == 0


def test_outcomes_daily_task_runs_both_steps(ended_program, participant):
    result = outcomes_daily.delay().get()
    assert result == {"endline": 2, "followup": 0, "reminded": 0}


def test_outcomes_request_now_for_the_comparison_group(program, participant):
    ApplicationFactory(program=program, status="not_selected")
    ApplicationFactory(program=program, status="waitlisted")
    ApplicationFactory(program=program, status="ineligible")
    ApplicationFactory(program=program, status="declined")
    assert outcomes_request_now(program=program, wave="baseline", who="comparison", actor=None) == 2
    assert outcomes_request_now(program=program, wave="baseline", who="comparison", actor=None) == 0
    assert (
        outcomes_request_now(program=program, wave="baseline", who="participants", actor=None) == 0
    )
    assert (
        outcomes_request_now(program=program, wave="endline", who="participants", actor=None) == 1
    )


def test_outcomes_daily_is_on_the_beat_schedule():
    from django.conf import settings

    from ikm_portal.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["training-participation-outcomes-daily"]
    assert entry["task"] == "training.participation_outcomes_daily"
    assert "training-participation-outcomes-daily" in app.conf.beat_schedule
    assert "training.participation_outcomes_daily" in app.tasks
