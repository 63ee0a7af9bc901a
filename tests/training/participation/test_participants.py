import itertools

import pytest
from django.core import mail

from ikm_portal.core.exceptions import ApplicationError, InvalidTransition
from ikm_portal.core.models import ActivityLog
from tests.factories import ApplicationFactory
from tests.factories.participation import AcceptedApplicationFactory, enrol
from training.choices import ApplicationStatus
from training.models import OutcomeSurvey, Participant
from training.participation.choices import (
    PARTICIPANT_TRANSITIONS,
    ParticipantStatus,
    participant_can_transition,
)
from training.participation.services import participant_enroll, participant_transition

pytestmark = pytest.mark.django_db


def test_participant_enroll_creates_one_row_and_requests_the_baseline(
    accepted, stage1, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        participant = participant_enroll(application=accepted, stage=stage1)
    assert participant.status == ParticipantStatus.ENROLLED
    assert participant.program_id == accepted.program_id
    assert participant.enterprise_id == accepted.enterprise_id
    assert participant.track == accepted.track_choices.get(preference=1).track
    survey = OutcomeSurvey.objects.get(application=accepted)
    assert (survey.wave, survey.status) == ("baseline", "requested")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [accepted.enterprise.owner.email]
    assert ActivityLog.objects.filter(action="participant.enrol").count() == 1


def test_participant_enroll_twice_returns_the_same_row(accepted, stage1):
    first = participant_enroll(application=accepted, stage=stage1)
    second = participant_enroll(application=accepted, stage=stage1)
    assert second.pk == first.pk
    assert Participant.objects.count() == 1
    assert OutcomeSurvey.objects.count() == 1


def test_participant_enroll_in_stage_two_keeps_one_baseline(accepted, stage1, stage2):
    participant_enroll(application=accepted, stage=stage1)
    participant_enroll(application=accepted, stage=stage2)
    assert Participant.objects.filter(application=accepted).count() == 2
    assert OutcomeSurvey.objects.filter(application=accepted).count() == 1


def test_participant_enroll_selected_application_is_allowed(program, stage1):
    application = ApplicationFactory(program=program, status=ApplicationStatus.SELECTED)
    assert participant_enroll(application=application, stage=stage1).pk


@pytest.mark.parametrize(
    "status", ["draft", "submitted", "eligible", "in_review", "not_selected", "withdrawn"]
)
def test_participant_enroll_not_accepted_is_refused(program, stage1, status):
    application = ApplicationFactory(program=program, status=status)
    with pytest.raises(InvalidTransition):
        participant_enroll(application=application, stage=stage1)
    assert Participant.objects.count() == 0


def test_participant_enroll_stage_of_another_programme_is_refused(accepted, other_reviewer):
    from training.models import Stage

    foreign = Stage.objects.exclude(program=accepted.program).first()
    with pytest.raises(ApplicationError) as exc:
        participant_enroll(application=accepted, stage=foreign)
    assert "stage" in exc.value.field_errors


def test_participant_enroll_with_a_given_track(accepted, stage1, tracks):
    participant = participant_enroll(application=accepted, stage=stage1, track=tracks[2])
    assert participant.track == tracks[2]


ALL = list(ParticipantStatus.values)


@pytest.mark.parametrize(("source", "target"), list(itertools.product(ALL, ALL)))
def test_participant_transition_follows_the_table(participant, source, target):
    Participant.objects.filter(pk=participant.pk).update(
        status=source, completed_at=participant.enrolled_at if source == "completed" else None
    )
    allowed = participant_can_transition(source, target)
    if source == target:
        result = participant_transition(participant=participant, to=target, reason="x")
        assert result.status == source
    elif allowed:
        result = participant_transition(participant=participant, to=target, reason="Sakit")
        assert result.status == target
        log = ActivityLog.objects.filter(object_id=str(participant.pk)).latest("id")
        assert (log.from_state, log.to_state) == (source, target)
    else:
        with pytest.raises(InvalidTransition):
            participant_transition(participant=participant, to=target, reason="x")
        assert Participant.objects.get(pk=participant.pk).status == source


def test_participant_transition_table_has_every_status():
    assert set(PARTICIPANT_TRANSITIONS) == set(ParticipantStatus.values)


@pytest.mark.parametrize("target", ["paused", "dropped"])
def test_participant_transition_without_reason_is_refused(participant, target):
    with pytest.raises(ApplicationError) as exc:
        participant_transition(participant=participant, to=target, reason=" ")
    assert list(exc.value.field_errors) == ["reason"]


def test_participant_transition_pause_notifies_the_owner(
    participant, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        participant_transition(participant=participant, to="paused", reason="Panen raya")
    assert len(mail.outbox) == 1
    assert "Panen raya" in mail.outbox[0].body


def test_enrol_factory_helper_enrols_through_the_service(program):
    participant = enrol(AcceptedApplicationFactory(program=program))
    assert participant.stage.order == 1
