import pytest
from django.core.exceptions import PermissionDenied

from ikm_portal.core.exceptions import ApplicationError, InvalidTransition
from ikm_portal.core.models import ActivityLog
from ikm_portal.notifications.models import Notification
from registry import services
from registry.choices import ENTERPRISE_TRANSITIONS, EnterpriseStatus
from registry.models import Enterprise, FieldChange
from tests.factories import EnterpriseFactory

pytestmark = pytest.mark.django_db

S = EnterpriseStatus
PAIRS = [(a, b) for a in S.values for b in S.values if a != b]


def _make(status):
    return EnterpriseFactory(status=status, submitted_at=None)


@pytest.mark.parametrize("from_status, to_status", PAIRS)
def test_transition_table_allowed_and_refused(from_status, to_status, staff):
    enterprise = _make(from_status)
    allowed = to_status in ENTERPRISE_TRANSITIONS[from_status]
    if allowed:
        result = services.enterprise_transition(
            enterprise=enterprise, to_status=to_status, actor=staff, reason="Alasan"
        )
        assert result.status == to_status
        log = ActivityLog.objects.get(object_id=str(enterprise.pk), to_state=to_status)
        assert (log.actor, log.from_state, log.reason) == (
            staff,
            from_status,
            "Alasan",
        )
    else:
        with pytest.raises(InvalidTransition):
            services.enterprise_transition(
                enterprise=enterprise, to_status=to_status, actor=staff, reason="Alasan"
            )
        assert Enterprise.objects.get(pk=enterprise.pk).status == from_status


def test_transition_to_the_same_status_is_a_no_op(staff):
    enterprise = EnterpriseFactory(verified=True)
    services.enterprise_verify(enterprise=enterprise, actor=staff)
    assert ActivityLog.objects.filter(object_id=str(enterprise.pk)).count() == 0


@pytest.mark.parametrize("to_status", ["needs_revision", "rejected", "archived"])
def test_transition_needs_a_reason(to_status, staff):
    enterprise = EnterpriseFactory(submitted=True)
    with pytest.raises(ApplicationError) as exc:
        services.enterprise_transition(enterprise=enterprise, to_status=to_status, actor=staff)
    assert list(exc.value.field_errors) == ["reason"]


@pytest.mark.parametrize("to_status", ["verified", "needs_revision", "rejected", "archived"])
def test_owner_cannot_decide(to_status):
    enterprise = EnterpriseFactory(submitted=True)
    with pytest.raises(PermissionDenied):
        services.enterprise_transition(
            enterprise=enterprise, to_status=to_status, actor=enterprise.owner, reason="x"
        )


def test_other_owner_cannot_submit(other_owner):
    enterprise = EnterpriseFactory()
    with pytest.raises(PermissionDenied):
        services.enterprise_submit(enterprise=enterprise, actor=other_owner)


def test_submit_refuses_an_incomplete_draft():
    enterprise = EnterpriseFactory(investment_idr=None, products=0, consent_at=None)
    with pytest.raises(ApplicationError) as exc:
        services.enterprise_submit(enterprise=enterprise, actor=enterprise.owner)
    assert set(exc.value.field_errors) == {"investment_idr", "products", "consent"}
    assert Enterprise.objects.get(pk=enterprise.pk).status == "draft"


def test_submit_records_time_history_and_log():
    enterprise = EnterpriseFactory()
    services.enterprise_submit(enterprise=enterprise, actor=enterprise.owner)
    enterprise.refresh_from_db()
    assert enterprise.submitted_at is not None
    change = FieldChange.objects.get(enterprise=enterprise, field="status")
    assert (change.old_value, change.new_value, change.actor) == (
        "draft",
        "submitted",
        enterprise.owner,
    )


def test_revision_reason_is_kept_for_the_owner(staff):
    enterprise = EnterpriseFactory(submitted=True)
    services.enterprise_request_revision(enterprise=enterprise, actor=staff, reason="Foto buram")
    enterprise.refresh_from_db()
    assert (enterprise.status, enterprise.status_reason) == ("needs_revision", "Foto buram")


@pytest.mark.parametrize(
    "to_status, template",
    [
        ("verified", "enterprise_verified"),
        ("needs_revision", "enterprise_needs_revision"),
        ("rejected", "enterprise_rejected"),
        ("archived", "enterprise_archived"),
    ],
)
def test_decision_queues_the_owners_notification(
    to_status, template, staff, django_capture_on_commit_callbacks, mailoutbox
):
    enterprise = EnterpriseFactory(submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.enterprise_transition(
            enterprise=enterprise, to_status=to_status, actor=staff, reason="Data kurang"
        )
    rows = Notification.objects.filter(template=template, recipient=enterprise.owner)
    assert sorted(rows.values_list("channel", flat=True)) == ["email", "in_app"]
    assert len(mailoutbox) == 1
    assert enterprise.name in mailoutbox[0].subject
    if to_status != "verified":
        assert "Data kurang" in mailoutbox[0].body


def test_decision_notification_is_indonesian_by_default(
    staff, django_capture_on_commit_callbacks, mailoutbox
):
    enterprise = EnterpriseFactory(submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.enterprise_request_revision(enterprise=enterprise, actor=staff, reason="Foto")
    assert mailoutbox[0].subject.startswith("Mohon perbaiki")


def test_walk_in_without_account_is_notified_by_email(
    staff, django_capture_on_commit_callbacks, mailoutbox
):
    enterprise = EnterpriseFactory(owner=None, email="siti@example.id", submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.enterprise_verify(enterprise=enterprise, actor=staff)
    assert [m.to for m in mailoutbox] == [["siti@example.id"]]


def test_submit_sends_no_notification():
    enterprise = EnterpriseFactory()
    services.enterprise_submit(enterprise=enterprise, actor=enterprise.owner)
    assert Notification.objects.count() == 0
