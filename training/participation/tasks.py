from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    name="training.participation_outcomes_daily",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=30,
    max_retries=3,
)
def outcomes_daily() -> dict:
    """Beat, daily: request the end-line and follow-up surveys that are due, then remind the
    owners who have not answered. Both steps are idempotent: a second run sends nothing."""
    requested = services.outcomes_request_due()
    return {**requested, "reminded": services.outcomes_remind()}
