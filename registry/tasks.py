"""Background work of the registry: large spreadsheet imports, compacting the count tally.

Tasks take ids; the service claims the job with a conditional UPDATE, so a second run (a retry,
or a duplicate delivery) does nothing."""

from celery import shared_task
from django.contrib.auth import get_user_model
from django.db import OperationalError

from .services import imports


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=3600,
    time_limit=3700,
)
def import_check_task(self, job_id: int) -> None:
    imports.import_check(job_id=job_id)


@shared_task(
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=3600,
    time_limit=3700,
)
def import_run_task(self, job_id: int, actor_id: int | None) -> None:
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    imports.import_run(job_id=job_id, actor=actor)


@shared_task(autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3)
def tally_compact_task() -> dict:
    """Hourly: fold the business-count deltas into one row per bucket (models/tally.py)."""
    from .services.tally import tally_compact

    return tally_compact()
