from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.models import TimeStampedModel

from .choices import Channel, Status


class Notification(TimeStampedModel):
    """One message to one recipient over one channel: the outbox row.

    The row is written in the caller's transaction before anything is sent, so a broker outage
    loses nothing (the sweep re-sends what is still queued). For the in-app channel the row *is*
    the message shown in the inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    address = models.CharField(
        _("address"),
        max_length=254,
        blank=True,
        help_text=_("The e-mail address or mobile number the message goes to."),
    )
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    template = models.CharField(_("template"), max_length=100, db_index=True)
    language = models.CharField(_("language"), max_length=5, default="id")
    context = models.JSONField(_("context"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("message"), blank=True)
    body_html = models.TextField(_("HTML message"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("sending since"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    external_id = models.CharField(
        _("gateway message id"), max_length=100, blank=True, help_text=_("Set by the gateway.")
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    object_id = models.CharField(max_length=64, blank=True)
    related = GenericForeignKey("content_type", "object_id")
    key = models.CharField(
        _("idempotency key"),
        max_length=255,
        unique=True,
        help_text=_("One event yields one message per channel: the event key plus the channel."),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notif_status_due"),
            models.Index(fields=["recipient", "channel", "read_at"], name="notif_recipient_inbox"),
            models.Index(fields=["content_type", "object_id"], name="notif_related"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(address=""),
                name="notif_has_recipient_or_address",
            ),
            models.CheckConstraint(
                condition=~Q(channel=Channel.IN_APP) | Q(recipient__isnull=False),
                name="notif_in_app_needs_user",
            ),
            models.CheckConstraint(
                condition=Q(status__in=Status.values), name="notif_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="notif_channel_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient_label} ({self.channel})"

    @property
    def recipient_label(self) -> str:
        if self.address:
            return self.address
        return self.recipient.email if self.recipient_id is not None else ""

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def url(self) -> str:
        """The link the message points to (a path on this site), if the sender gave one."""
        value = (self.context or {}).get("url", "")
        return value if isinstance(value, str) else ""


class NotificationPreference(models.Model):
    """The channels a user chose in their profile. In-app is always on; mandatory messages
    (decisions, offers, password reset) go by e-mail and in-app whatever is chosen here."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    email = models.BooleanField(_("e-mail"), default=True)
    whatsapp = models.BooleanField("WhatsApp", default=False)
    sms = models.BooleanField("SMS", default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)

    def allows(self, channel: str) -> bool:
        if channel == Channel.IN_APP:
            return True
        return bool(getattr(self, channel, False))
