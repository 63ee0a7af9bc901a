import pytest

from ikm_portal.core.exceptions import InvalidTransition
from ikm_portal.core.models import ActivityLog
from tests.factories import ApplicationFactory, ProgramFactory
from training import services
from training.choices import (
    APPLICATION_TRANSITIONS,
    PROGRAM_TRANSITIONS,
    ApplicationStatus,
    ProgramStatus,
)

pytestmark = pytest.mark.django_db

PROGRAM_PAIRS = [(s, t) for s in ProgramStatus.values for t in ProgramStatus.values if s != t]
APPLICATION_PAIRS = [
    (s, t) for s in ApplicationStatus.values for t in ApplicationStatus.values if s != t
]


def test_program_table_covers_every_status():
    assert set(PROGRAM_TRANSITIONS) == set(ProgramStatus.values)
    assert all(set(v) <= set(ProgramStatus.values) for v in PROGRAM_TRANSITIONS.values())


def test_application_table_covers_every_status():
    assert set(APPLICATION_TRANSITIONS) == set(ApplicationStatus.values)
    assert all(set(v) <= set(ApplicationStatus.values) for v in APPLICATION_TRANSITIONS.values())


@pytest.mark.parametrize(("source", "target"), PROGRAM_PAIRS)
def test_program_transition_follows_the_table(source, target, staff):
    program = ProgramFactory(status=source, with_setup=True)
    if target in PROGRAM_TRANSITIONS[source]:
        services.program_transition(program=program, to=target, actor=staff, reason="Alasan")
        program.refresh_from_db()
        assert program.status == target
        log = ActivityLog.objects.get(object_id=str(program.pk), to_state=target)
        assert (log.from_state, log.actor_id, log.reason) == (source, staff.pk, "Alasan")
    else:
        with pytest.raises(InvalidTransition):
            services.program_transition(program=program, to=target, actor=staff, reason="x")
        program.refresh_from_db()
        assert program.status == source


def test_program_transition_to_same_status_is_a_noop(staff):
    program = ProgramFactory(with_setup=True)
    services.program_transition(program=program, to=ProgramStatus.OPEN, actor=staff)
    assert ActivityLog.objects.filter(object_id=str(program.pk)).count() == 0


@pytest.mark.parametrize(("source", "target"), APPLICATION_PAIRS)
def test_application_transition_follows_the_table(source, target, staff):
    application = ApplicationFactory(status=source)
    if target in APPLICATION_TRANSITIONS[source]:
        services.application_transition(
            application=application, to=target, actor=staff, reason="Alasan"
        )
        application.refresh_from_db()
        assert (application.status, application.status_reason) == (target, "Alasan")
        log = ActivityLog.objects.get(object_id=str(application.pk), to_state=target)
        assert (log.from_state, log.actor_id) == (source, staff.pk)
    else:
        with pytest.raises(InvalidTransition):
            services.application_transition(application=application, to=target, actor=staff)
        application.refresh_from_db()
        assert application.status == source


def test_application_transition_to_same_status_is_a_noop():
    application = ApplicationFactory(status=ApplicationStatus.ELIGIBLE)
    services.application_transition(application=application, to=ApplicationStatus.ELIGIBLE)
    assert ActivityLog.objects.filter(object_id=str(application.pk)).count() == 0


def test_application_withdraw_allowed_exactly_before_a_published_decision():
    before = {
        s
        for s, targets in APPLICATION_TRANSITIONS.items()
        if ApplicationStatus.WITHDRAWN in targets
    }
    assert before == {
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.ELIGIBLE,
        ApplicationStatus.INELIGIBLE,
        ApplicationStatus.IN_REVIEW,
    }
