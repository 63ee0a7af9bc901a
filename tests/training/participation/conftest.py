from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.participation import (
    AcceptedApplicationFactory,
    CompletionRuleFactory,
    SessionFactory,
    enrol,
)


@pytest.fixture
def stage1(program):
    return program.stages.get(order=1)


@pytest.fixture
def stage2(program):
    return program.stages.get(order=2)


@pytest.fixture
def accepted(program, enterprise, tracks):
    """The owner's accepted application (first choice: the first track)."""
    return AcceptedApplicationFactory(program=program, enterprise=enterprise, tracks=[tracks[0]])


@pytest.fixture
def participant(accepted):
    """The owner's business enrolled in stage 1 (through the service)."""
    return enrol(accepted)


@pytest.fixture
def other_participant(program, other_enterprise, tracks):
    return enrol(
        AcceptedApplicationFactory(program=program, enterprise=other_enterprise, tracks=[tracks[0]])
    )


@pytest.fixture
def rule(program):
    return CompletionRuleFactory(program=program)


@pytest.fixture
def past_session(stage1):
    """A two-hour session of stage 1 (all tracks) that ended yesterday."""
    return SessionFactory(stage=stage1)


@pytest.fixture
def live_session(stage1):
    """A session of stage 1 that started ten minutes ago and runs for two hours."""
    start = timezone.now() - timedelta(minutes=10)
    return SessionFactory(stage=stage1, starts_at=start, ends_at=start + timedelta(hours=2))


@pytest.fixture
def future_session(stage1):
    start = timezone.now() + timedelta(days=2)
    return SessionFactory(stage=stage1, starts_at=start, ends_at=start + timedelta(hours=2))
