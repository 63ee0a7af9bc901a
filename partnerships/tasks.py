from celery import shared_task

from . import services


@shared_task(name="partnerships.agreements_daily", acks_late=True)
def agreements_daily() -> dict:
    """Beat, once a day: expire agreements past their end date, then remind the office of those
    that end within 30 days. Running it twice reminds once (the reminder is claimed per row)."""
    expired = services.agreements_expire_due()
    reminded = services.agreements_remind_expiring()
    return {"expired": expired, "reminded": reminded}
