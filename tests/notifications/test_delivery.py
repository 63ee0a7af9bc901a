"""The delivery task: claim once, retry transient errors with backoff, fail permanent ones;
the sweep re-enqueues what the broker lost."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from ikm_portal.notifications import services, tasks
from ikm_portal.notifications.models import Notification
from tests.factories.notifications import NotificationFactory

pytestmark = pytest.mark.django_db


def test_deliver_task_run_twice_sends_once(owner):
    row = NotificationFactory(recipient=owner)
    assert tasks.deliver.apply(args=[row.pk]).get() == "sent"
    assert tasks.deliver.apply(args=[row.pk]).get() == "skipped"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, "")
    assert row.sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["X-IKM-Notification"] == row.key


def test_deliver_claims_only_queued_rows(owner):
    row = NotificationFactory(recipient=owner, status="sending")
    assert services.notification_deliver(notification_id=row.pk) == "skipped"
    assert mail.outbox == []


def test_deliver_missing_row_is_a_no_op():
    assert services.notification_deliver(notification_id=987654) == "skipped"


def test_deliver_cancelled_row_sends_nothing(owner):
    row = NotificationFactory(recipient=owner, status="cancelled")
    assert services.notification_deliver(notification_id=row.pk) == "skipped"
    assert mail.outbox == []


def test_deliver_transient_smtp_error_retries_then_succeeds(owner, smtp_failures):
    smtp_failures.append(smtplib.SMTPResponseException(421, b"4.7.0 Try again later"))
    row = NotificationFactory(recipient=owner)
    before = timezone.now()

    assert services.notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 1)
    assert row.last_error == "SMTP 421: 4.7.0 Try again later"
    # First backoff: 30 s scaled by a jitter of 0.5 to 1.
    assert before + timedelta(seconds=15) <= row.next_attempt_at
    assert row.next_attempt_at <= timezone.now() + timedelta(seconds=30)

    assert services.notification_deliver(notification_id=row.pk) == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), "retry"),
        (ConnectionRefusedError(111, "Connection refused"), "retry"),
        (TimeoutError("timed out"), "retry"),
        (smtplib.SMTPRecipientsRefused({"a@example.id": (450, b"mailbox busy")}), "retry"),
        (smtplib.SMTPRecipientsRefused({"a@example.id": (550, b"no such user")}), "failed"),
        (smtplib.SMTPResponseException(554, b"5.7.1 Rejected"), "failed"),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"), "failed"),
    ],
)
def test_deliver_sorts_smtp_errors_into_transient_and_permanent(
    owner, smtp_failures, error, expected
):
    smtp_failures.append(error)
    row = NotificationFactory(recipient=owner)
    assert services.notification_deliver(notification_id=row.pk) == expected
    row.refresh_from_db()
    assert row.status == {"retry": "queued", "failed": "failed"}[expected]


def test_deliver_permanent_error_marks_failed_with_the_reason(owner, smtp_failures):
    smtp_failures.append(smtplib.SMTPResponseException(550, b"5.1.1 User unknown"))
    row = NotificationFactory(recipient=owner)
    assert services.notification_deliver(notification_id=row.pk) == "failed"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (
        "failed",
        1,
        "SMTP 550: 5.1.1 User unknown",
    )
    assert row.sent_at is None
    assert services.notification_deliver(notification_id=row.pk) == "skipped"
    assert mail.outbox == []


def test_deliver_gives_up_after_the_last_attempt(owner, smtp_failures, settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    smtp_failures.extend([smtplib.SMTPServerDisconnected("gone")] * 3)
    row = NotificationFactory(recipient=owner)
    outcomes = [services.notification_deliver(notification_id=row.pk) for _ in range(3)]
    assert outcomes == ["retry", "retry", "failed"]
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("failed", 3)
    assert row.last_error == "Gave up after 3 attempts: SMTP server disconnected: gone"


def test_deliver_unexpected_error_marks_failed(owner, smtp_failures):
    smtp_failures.append(KeyError("bug"))
    row = NotificationFactory(recipient=owner)
    assert services.notification_deliver(notification_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.last_error == "Unexpected error: KeyError('bug')"


def test_retry_delay_grows_exponentially_with_jitter_up_to_the_cap(settings):
    settings.NOTIFICATIONS_RETRY_BASE = 30
    settings.NOTIFICATIONS_RETRY_MAX = 1800
    for attempt, full in [(1, 30), (2, 60), (3, 120), (4, 240), (7, 1800), (12, 1800)]:
        delays = [services.retry_delay(attempt) for _ in range(50)]
        assert all(full / 2 <= d <= full for d in delays), (attempt, min(delays), max(delays))
    assert len({services.retry_delay(3) for _ in range(20)}) > 1


def test_sweep_delivers_rows_still_queued_after_the_grace_period(owner):
    old = NotificationFactory(
        recipient=owner, next_attempt_at=timezone.now() - timedelta(minutes=10)
    )
    fresh = NotificationFactory(recipient=owner)
    result = services.notification_sweep()
    assert result == {"due": 1, "unstuck": 0, "enqueued": 1}
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert (old.status, fresh.status) == ("sent", "queued")
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_sweep_waits_for_a_scheduled_retry(owner):
    row = NotificationFactory(
        recipient=owner, attempts=2, next_attempt_at=timezone.now() + timedelta(minutes=5)
    )
    assert services.notification_sweep()["due"] == 0
    row.refresh_from_db()
    assert row.status == "queued"


def test_sweep_sends_again_a_row_stuck_in_sending(owner, settings):
    settings.CELERY_TASK_TIME_LIMIT = 180
    stuck = NotificationFactory(
        recipient=owner,
        status="sending",
        attempts=1,
        claimed_at=timezone.now() - timedelta(minutes=10),
    )
    busy = NotificationFactory(
        recipient=owner, status="sending", attempts=1, claimed_at=timezone.now()
    )
    result = services.notification_sweep()
    assert result == {"due": 1, "unstuck": 1, "enqueued": 1}
    stuck.refresh_from_db()
    busy.refresh_from_db()
    assert (stuck.status, stuck.attempts) == ("sent", 2)
    assert busy.status == "sending"


def test_sweep_leaves_rows_of_a_channel_that_is_off(owner):
    row = NotificationFactory(
        recipient=owner,
        channel="sms",
        address=owner.phone,
        next_attempt_at=timezone.now() - timedelta(hours=1),
    )
    assert services.notification_sweep()["due"] == 0
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("queued", 0)


def test_sweep_task_runs_the_sweep(owner):
    NotificationFactory(recipient=owner, next_attempt_at=timezone.now() - timedelta(hours=1))
    assert tasks.sweep.apply().get() == {"due": 1, "unstuck": 0, "enqueued": 1}
    assert Notification.objects.get().status == "sent"


def test_sweep_command_for_installations_without_beat(owner):
    from django.core.management import call_command

    NotificationFactory(recipient=owner, next_attempt_at=timezone.now() - timedelta(hours=1))
    call_command("notifications_sweep")
    assert Notification.objects.get().status == "sent"
