"""The personal-data access log and data-subject requests (UU 27/2022).

Both know domain records only generically (content type + id), like ActivityLog: the platform
never imports a domain app. Names are copied when a row is written, so the log still reads when
an account or a record is later anonymised or gone."""

from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.models import TimeStampedModel

from .choices import OPEN_STATUSES, AccessAction, AccessChannel, RequestKind, RequestStatus

# UU 27/2022: several duties of the controller run within 72 hours (3 days of 24 hours).
REQUEST_DEADLINE = timedelta(hours=72)


class AccessLog(models.Model):
    """One look at (or copy of) one person's personal data: who, whose, when, how and why."""

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=16, choices=AccessAction.choices)
    channel = models.CharField(
        _("channel"), max_length=12, choices=AccessChannel.choices, blank=True
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_name = models.CharField(_("who (name)"), max_length=150, blank=True)
    actor_email = models.EmailField(_("who (e-mail)"), blank=True)
    # The partner organisation the actor spoke for (a name: the platform knows no partners).
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    # Whose data: the owner's account and/or the business record.
    subject_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("data subject"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    subject_name = models.CharField(_("whose data"), max_length=200, blank=True)
    subject_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(null=True, blank=True)
    subject = GenericForeignKey("subject_type", "subject_id")
    # What was looked at (an application, …) when it is not the subject record itself.
    object_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    target = GenericForeignKey("object_type", "object_id")
    reason = models.TextField(_("reason"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    path = models.CharField(_("address"), max_length=255, blank=True)
    # Small facts for filters and display: partner and programme ids, export format, rows …
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data access log")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["subject_user", "-created_at"], name="datarights_log_subject_user"
            ),
            models.Index(
                fields=["subject_type", "subject_id", "-created_at"], name="datarights_log_subject"
            ),
            models.Index(fields=["object_type", "object_id"], name="datarights_log_object"),
            models.Index(fields=["actor", "-created_at"], name="datarights_log_actor"),
            models.Index(fields=["action", "-created_at"], name="datarights_log_action"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_email} {self.action} {self.subject_name} ({self.created_at:%Y-%m-%d %H:%M})"


class DataRequest(TimeStampedModel):
    """An owner's request to correct or erase their personal data, answered within 72 hours."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("data subject"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="data_requests",
    )
    # The name and address as they were: an erased account no longer carries them.
    user_name = models.CharField(_("name"), max_length=150, blank=True)
    kind = models.CharField(_("kind"), max_length=12, choices=RequestKind.choices)
    details = models.TextField(
        _("what should change"),
        blank=True,
        help_text=_("For a correction: which data is wrong and what is right."),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=RequestStatus.choices,
        default=RequestStatus.OPEN,
        db_index=True,
    )
    due_at = models.DateTimeField(_("answer due"), db_index=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    response = models.TextField(_("answer"), blank=True)
    # Erasure: [{"what", "why"}] — what the law or an open programme keeps.
    kept = models.JSONField(_("kept"), default=list, blank=True)
    closed_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("staff reminded at"), null=True, blank=True)

    class Meta:
        verbose_name = _("data subject request")
        verbose_name_plural = _("data subject requests")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="datarights_one_open_request_per_kind",
                violation_error_message=_("You already have an open request of this kind."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=sorted(OPEN_STATUSES)) | Q(closed_at__isnull=False),
                name="datarights_request_closed_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()
