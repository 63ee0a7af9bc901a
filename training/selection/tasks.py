"""Periodic tasks of review and selection (scheduled in settings' CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from . import services


@shared_task(name="training.selection_offers_sweep", acks_late=True)
def offers_sweep() -> dict:
    """Offers not answered by their deadline lapse; each freed seat goes to the next on the
    waitlist. A second run finds nothing due and does nothing."""
    return services.offers_lapse_due()


@shared_task(name="training.selection_review_reminders", acks_late=True)
def review_reminders() -> int:
    """A few days before a review deadline, remind reviewers with outstanding reviews (one
    reminder per reviewer and stage: the outbox key makes a second run send nothing)."""
    return services.reviews_remind_due()
