from celery import shared_task
from django.core.mail import BadHeaderError

from . import services


@shared_task(name="partnerships.agreements_daily", acks_late=True)
def agreements_daily() -> dict:
    """Beat, once a day: expire agreements past their end date, then remind the office of those
    that end within 30 days. Running it twice reminds once (the reminder is claimed per row)."""
    expired = services.agreements_expire_due()
    reminded = services.agreements_remind_expiring()
    return {"expired": expired, "reminded": reminded}


@shared_task(
    name="partnerships.send_invitation_mail",
    acks_late=True,
    autoretry_for=(ConnectionError, TimeoutError, OSError),
    dont_autoretry_for=(BadHeaderError,),
    retry_backoff=30,
    max_retries=5,
)
def send_invitation_mail(invitation_id: int, link: str) -> bool:
    return services.invitation_send_mail(invitation_id=invitation_id, link=link)
