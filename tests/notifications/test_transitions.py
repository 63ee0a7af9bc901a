"""The status machine: every pair of the table, allowed and forbidden."""

import itertools

import pytest

from ikm_portal.core.exceptions import InvalidTransition
from ikm_portal.core.models import ActivityLog
from ikm_portal.notifications.choices import TRANSITIONS, Status
from ikm_portal.notifications.services import notification_transition
from tests.factories.notifications import NotificationFactory

pytestmark = pytest.mark.django_db

PAIRS = [(a, b) for a, b in itertools.product(Status.values, repeat=2) if a != b]


@pytest.mark.parametrize(("from_status", "to_status"), PAIRS)
def test_transition_table(staff, from_status, to_status):
    row = NotificationFactory(status=from_status)
    allowed = to_status in TRANSITIONS[from_status]
    if allowed:
        result = notification_transition(notification=row, to_status=to_status, actor=staff)
        assert result.status == to_status
        assert (
            ActivityLog.objects.filter(
                object_id=str(row.pk), from_state=from_status, to_state=to_status
            ).count()
            == 1
        )
    else:
        with pytest.raises(InvalidTransition):
            notification_transition(notification=row, to_status=to_status, actor=staff)
        row.refresh_from_db()
        assert row.status == from_status
        assert ActivityLog.objects.count() == 0


@pytest.mark.parametrize("status", Status.values)
def test_transition_to_the_same_status_is_a_no_op(staff, status):
    row = NotificationFactory(status=status)
    assert notification_transition(notification=row, to_status=status).status == status
    assert ActivityLog.objects.count() == 0


def test_sent_and_cancelled_are_final():
    assert TRANSITIONS[Status.SENT] == set()
    assert TRANSITIONS[Status.CANCELLED] == set()
