"""Each change of an application's status notifies its owner once, through the outbox."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ikm_portal.notifications.models import Notification
from partnerships import services as partnership_services
from tests.factories import AgreementFactory, ApplicationFactory
from training import services
from training.choices import (
    APPLICATION_TRANSITIONS,
    SELECTION_NOTIFIED_STATUSES,
    ApplicationStatus,
    ProgramStatus,
)

pytestmark = pytest.mark.django_db

TARGETS = sorted({t for targets in APPLICATION_TRANSITIONS.values() for t in targets})
# Selection decisions are announced by the selection's own messages (training/selection).
OWN_TARGETS = [t for t in TARGETS if t not in SELECTION_NOTIFIED_STATUSES]


@pytest.mark.parametrize("target", OWN_TARGETS)
def test_every_target_status_has_a_notification_for_the_owner(
    target, django_capture_on_commit_callbacks
):
    source = next(s for s, targets in APPLICATION_TRANSITIONS.items() if target in targets)
    application = ApplicationFactory(status=source)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_transition(application=application, to=target, reason="Alasan")
    rows = Notification.objects.filter(recipient=application.enterprise.owner)
    assert sorted(rows.values_list("template", "channel")) == [
        (f"application_{target}", "email"),
        (f"application_{target}", "in_app"),
    ]
    assert all(application.program.title in r.subject for r in rows)


@pytest.mark.parametrize("target", sorted(SELECTION_NOTIFIED_STATUSES))
def test_selection_decisions_are_left_to_the_selections_messages(
    target, django_capture_on_commit_callbacks
):
    source = next(s for s, targets in APPLICATION_TRANSITIONS.items() if target in targets)
    application = ApplicationFactory(status=source)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_transition(application=application, to=target)
    assert Notification.objects.filter(recipient=application.enterprise.owner).count() == 0


def test_submit_and_screening_notify_twice_in_the_owners_language(
    owner, enterprise, program, django_capture_on_commit_callbacks
):
    owner.language = "en"
    owner.save()
    application = ApplicationFactory(program=program, enterprise=enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, actor=owner)
    templates = list(
        Notification.objects.filter(channel="email")
        .order_by("id")
        .values_list("template", flat=True)
    )
    assert templates == ["application_submitted", "application_eligible"]
    assert [m.subject for m in mail.outbox] == [
        f"We received your application to {program.title}",
        f"Your application to {program.title} meets the requirements",
    ]


def test_ineligible_notification_carries_the_reason(django_capture_on_commit_callbacks):
    application = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_transition(
            application=application, to=ApplicationStatus.INELIGIBLE, reason="Di luar Kota Malang."
        )
    assert "Di luar Kota Malang." in Notification.objects.get(channel="email").body


def test_submit_twice_notifies_once(owner, enterprise, program, django_capture_on_commit_callbacks):
    application = ApplicationFactory(program=program, enterprise=enterprise)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, actor=owner)
        services.application_submit(application=application, actor=owner)
    assert (
        Notification.objects.filter(template="application_submitted").count() == 2
    )  # email + in_app


def test_program_cancelled_notifies_living_applicants(
    staff, program, django_capture_on_commit_callbacks
):
    alive = ApplicationFactory(program=program, status=ApplicationStatus.ELIGIBLE)
    ApplicationFactory(program=program, status=ApplicationStatus.WITHDRAWN)
    with django_capture_on_commit_callbacks(execute=True):
        services.program_transition(
            program=program, to=ProgramStatus.CANCELLED, actor=staff, reason="Mitra mundur."
        )
    rows = Notification.objects.filter(template="program_cancelled")
    assert set(rows.values_list("recipient", flat=True)) == {alive.enterprise.owner_id}
    assert "Mitra mundur." in rows.get(channel="email").body


def test_agreement_reminder_notifies_each_office_user_once(
    staff, office_admin, owner, django_capture_on_commit_callbacks
):
    agreement = AgreementFactory(valid_to=timezone.localdate() + timedelta(days=12))
    with django_capture_on_commit_callbacks(execute=True):
        partnership_services.agreements_remind_expiring()
        partnership_services.agreements_remind_expiring()
    rows = Notification.objects.filter(template="agreement_expiring", channel="in_app")
    assert set(rows.values_list("recipient", flat=True)) == {staff.pk, office_admin.pk}
    assert agreement.number in rows.first().subject
    assert Notification.objects.filter(template="agreement_expiring", recipient=owner).count() == 0
