"""The daily staff digest: what waits for office staff, only when something waits."""

from datetime import date

import pytest
from django.apps import apps
from django.core import mail
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from ikm_portal.notifications import tasks
from ikm_portal.notifications.digest import staff_digest_items
from ikm_portal.notifications.models import Notification
from ikm_portal.notifications.services import staff_digest_send
from tests.factories import UserFactory
from tests.factories.notifications import NotificationFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 29)


@pytest.fixture
def registrations_waiting(monkeypatch):
    """A domain app's hook, as the registry implements it."""
    config = apps.get_app_config("partnerships")
    waiting = {"count": 4}
    monkeypatch.setattr(
        config,
        "staff_digest_items",
        lambda: [(_("Registrations to verify"), waiting["count"], "/registry/?status=submitted")],
        raising=False,
    )
    return waiting


def test_digest_sends_nothing_when_nothing_waits(staff, deliver_on_commit):
    with deliver_on_commit():
        assert staff_digest_send(today=DAY) == 0
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_digest_collects_every_apps_items_with_a_count(registrations_waiting, owner):
    NotificationFactory.create_batch(2, recipient=owner, status="failed")
    with translation.override("en"):
        items = [(i.label, i.count, i.url) for i in staff_digest_items()]
    assert items == [
        ("Messages that could not be delivered", 2, "/notifications/log/?status=failed"),
        ("Registrations to verify", 4, "/registry/?status=submitted"),
    ]
    registrations_waiting["count"] = 0
    assert [i.count for i in staff_digest_items()] == [2]


def test_digest_goes_to_office_staff_only_by_email_and_in_app(
    registrations_waiting, staff, office_admin, owner, partner_manager, deliver_on_commit
):
    inactive = UserFactory(role="office_staff", is_active=False)
    with deliver_on_commit():
        assert staff_digest_send(today=DAY) == 2
    rows = Notification.objects.filter(template="staff_digest")
    assert sorted((r.recipient_id, r.channel) for r in rows) == sorted(
        [
            (staff.pk, "email"),
            (staff.pk, "in_app"),
            (office_admin.pk, "email"),
            (office_admin.pk, "in_app"),
        ]
    )
    assert inactive.pk not in {r.recipient_id for r in rows}
    assert sorted(m.to[0] for m in mail.outbox) == sorted([staff.email, office_admin.email])
    message = next(m for m in mail.outbox if m.to == [staff.email])
    assert message.subject == "4 hal menunggu dinas – 29 November 2026"
    assert "- Registrations to verify: 4" in message.body
    assert "http://127.0.0.1:8000/registry/?status=submitted" in message.body


def test_digest_in_the_recipients_language(registrations_waiting, deliver_on_commit):
    english = UserFactory(role="office_staff", language="en")
    with deliver_on_commit():
        staff_digest_send(today=DAY)
    [message] = mail.outbox
    assert message.to == [english.email]
    assert message.subject == "4 items wait for the office – 29 November 2026"


def test_digest_includes_failed_messages_of_the_outbox(staff, owner, deliver_on_commit):
    NotificationFactory(recipient=owner, status="failed")
    with deliver_on_commit():
        assert staff_digest_send(today=DAY) == 1
    [message] = mail.outbox
    assert "- Pesan yang tidak dapat dikirim: 1" in message.body
    assert "/notifications/log/?status=failed" in message.body


def test_digest_twice_the_same_day_sends_once(registrations_waiting, staff, deliver_on_commit):
    with deliver_on_commit():
        staff_digest_send(today=DAY)
    with deliver_on_commit():
        staff_digest_send(today=DAY)
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=staff).count() == 2


def test_digest_task_uses_today(registrations_waiting, staff, deliver_on_commit):
    with deliver_on_commit():
        assert tasks.staff_digest.apply().get() == 1
    assert len(mail.outbox) == 1


def test_digest_is_in_the_beat_schedule(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE
    assert schedule["notifications-staff-digest"]["task"] == "notifications.staff_digest"
    assert schedule["notifications-sweep"]["task"] == "notifications.sweep"
