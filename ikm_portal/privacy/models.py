from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ikm_portal.core.models import TimeStampedModel

from .choices import ConsentChannel, ConsentContext, Purpose


class PrivacyNotice(TimeStampedModel):
    """One version of the privacy notice. The current one is the latest whose effective date
    has come; every consent records the version it was given under."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    effective_on = models.DateField(_("effective from"))
    text_id = models.TextField(_("text (Indonesian)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    changes = models.TextField(
        _("what changed"),
        blank=True,
        help_text=_("Shown to owners asked to acknowledge this version."),
    )

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return self.version

    @property
    def text(self) -> str:
        """The text in the active language, Indonesian when there is no English text."""
        if (get_language() or "id").startswith("en") and self.text_en:
            return self.text_en
        return self.text_id


class Consent(models.Model):
    """One consent (or acknowledgement) of one person for one purpose and scope, under one
    notice version. Giving again under a newer notice supersedes the row; withdrawing ends it.
    At most one active row per person, purpose and scope."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="consents",
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    # The scope, known generically (the platform imports no domain app): e.g.
    # "training.program:12" for sharing with the partner of programme 12; "" when unscoped.
    scope_key = models.CharField(_("scope"), max_length=64, blank=True, default="")
    scope_label = models.CharField(_("scope name"), max_length=300, blank=True, default="")
    scope_url = models.CharField(_("scope link"), max_length=300, blank=True, default="")
    notice_version = models.CharField(_("privacy notice version"), max_length=20)
    given_at = models.DateTimeField(_("given at"))
    given_context = models.CharField(_("given in"), max_length=20, choices=ConsentContext.choices)
    given_channel = models.CharField(
        _("given through"), max_length=10, choices=ConsentChannel.choices
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The office user who recorded it on the owner's behalf, if not the owner."),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_context = models.CharField(
        _("withdrawn in"), max_length=20, choices=ConsentContext.choices, blank=True
    )
    withdrawn_channel = models.CharField(
        _("withdrawn through"), max_length=10, choices=ConsentChannel.choices, blank=True
    )
    superseded_at = models.DateTimeField(
        _("superseded at"),
        null=True,
        blank=True,
        help_text=_("Given again, under a newer notice version: a newer row replaces this one."),
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "purpose", "scope_key"],
                condition=Q(withdrawn_at__isnull=True, superseded_at__isnull=True),
                name="privacy_consent_one_active",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=models.F("given_at")),
                name="privacy_consent_withdrawn_after_given",
            ),
        ]
        indexes = [models.Index(fields=["purpose", "scope_key"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.purpose} {self.scope_key}".strip()

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None and self.superseded_at is None
