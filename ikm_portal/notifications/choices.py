from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    IN_APP = "in_app", _("In-app")
    WHATSAPP = "whatsapp", "WhatsApp"
    SMS = "sms", "SMS"


# Channels that reach a phone number (the others reach an e-mail address or the inbox).
PHONE_CHANNELS = {Channel.WHATSAPP, Channel.SMS}


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


# Every change of Notification.status. The delivery task moves queued → sending → sent/failed
# (or back to queued for a transient error or a row stuck in sending); office staff resend a
# failed message (failed → queued) or cancel a queued one (queued → cancelled).
TRANSITIONS: dict[str, set[str]] = {
    Status.QUEUED: {Status.SENDING, Status.CANCELLED},
    Status.SENDING: {Status.SENT, Status.FAILED, Status.QUEUED},
    Status.FAILED: {Status.QUEUED},
    Status.SENT: set(),
    Status.CANCELLED: set(),
}


def can_transition(from_status: str, to_status: str) -> bool:
    return to_status in TRANSITIONS.get(from_status, set())
