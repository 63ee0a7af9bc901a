from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(
    name="training.screen_application",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=10,
    max_retries=5,
)
def screen_application(application_id: int) -> str | None:
    """The automatic eligibility screening after a submit. A second run finds the application
    no longer "submitted" and does nothing."""
    application = services.application_screen_auto(application_id=application_id)
    return application.status if application is not None else None


@shared_task(name="training.programs_sweep", acks_late=True)
def programs_sweep() -> dict:
    """Beat: close the programmes whose window has ended, and screen submitted applications
    whose screening task was lost."""
    return {
        "closed": services.programs_close_due(),
        "screened": services.applications_screen_pending(),
    }
