"""Thin, idempotent beat tasks: each calls one service that claims its rows itself."""

from celery import shared_task

from . import services


@shared_task(name="datarights.request_reminders")
def request_reminders() -> int:
    """Remind handlers of data requests whose 72-hour deadline is near (once per request)."""
    return services.data_request_remind()


@shared_task(name="datarights.retention_sweep")
def retention_sweep() -> int:
    """Anonymise rejected or abandoned drafts untouched for PRIVACY_DRAFT_RETENTION_DAYS."""
    return sum(count for _label, count in services.retention_sweep())
