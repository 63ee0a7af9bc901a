"""Celery tasks: thin wrappers that take ids and call services (see services.py)."""

from celery import shared_task

from . import services


@shared_task(name="notifications.deliver", acks_late=True, ignore_result=True)
def deliver(notification_id: int) -> str:
    """Send one outbox row. The claim (queued → sending) makes a second run a no-op; transient
    errors are retried by the service with backoff and jitter, permanent ones mark it failed."""
    return services.notification_deliver(notification_id=notification_id)


@shared_task(name="notifications.deliver_many", acks_late=True, ignore_result=True)
def deliver_many(notification_ids: list[int]) -> dict:
    """Send a batch of outbox rows (what one publish hands over), each claimed on its own as
    ``deliver`` does: a second run sends nothing twice, and rows a killed worker never reached
    stay queued for the sweep."""
    return services.notification_deliver_many(notification_ids=notification_ids)


@shared_task(name="notifications.sweep", ignore_result=True)
def sweep() -> dict:
    """Periodic (beat): re-enqueue rows still queued after a few minutes and rows stuck in
    sending past the time limit."""
    return services.notification_sweep()


@shared_task(name="notifications.staff_digest", ignore_result=True)
def staff_digest() -> int:
    """Daily (beat): what waits for office staff, sent only when something waits."""
    return services.staff_digest_send()
